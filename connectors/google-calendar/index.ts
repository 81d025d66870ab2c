/**
 * Google Calendar connector: events of the primary calendar (and configured ones) with incremental syncToken
 * sync, busy intervals of busy-only calendars through freeBusy, focus blocks written back as events Cairn owns,
 * and push channels (events.watch) whose notifications trigger a targeted sync.
 */
import type { Config } from "../../engine/config.ts";
import type { ConnectionSeed, Connector } from "../../engine/sync/connector.ts";
import { googleCli, googleConnect, googleDocs, googleEnv, googleVariables } from "./connect.ts";
import { normalizeGoogleItem } from "./normalize.ts";
import { googleScopes, pullBusy, pullEvents } from "./pull.ts";
import { handleGooglePush, maintainGoogleChannels, verifyGooglePush } from "./push.ts";
import { BUSY_SCOPE_PREFIX, GoogleCredentials, GoogleSettings } from "./schemas.ts";
import { deleteGoogleBlock, upsertGoogleBlock } from "./write.ts";

export { type GoogleContext, googleEndpoints } from "./client.ts";
export {
  calendarIdFromResourceUri,
  type GoogleWatchChannel,
  type MaintainOptions,
  maintainGoogleChannels,
  type RenewOptions,
  renewIfExpiring,
  stopChannel,
  type WatchOptions,
  watchCalendar,
} from "./push.ts";
export { BUSY_SCOPE_PREFIX, GoogleCredentials, GoogleSettings } from "./schemas.ts";
export { cairnEventId, isCairnOwned } from "./write.ts";

/** GOOGLE_CLIENT_ID + GOOGLE_CLIENT_SECRET + GOOGLE_REFRESH_TOKEN (+ GOOGLE_API_URL / GOOGLE_TOKEN_URL). */
function fromEnv(config: Config): ConnectionSeed<GoogleCredentials, GoogleSettings>[] {
  const env = googleVariables(config);
  if (!env.GOOGLE_CLIENT_ID || !env.GOOGLE_CLIENT_SECRET || !env.GOOGLE_REFRESH_TOKEN) return [];
  return [
    {
      name: "Google Calendar",
      credentials: GoogleCredentials.parse({
        clientId: env.GOOGLE_CLIENT_ID,
        clientSecret: env.GOOGLE_CLIENT_SECRET,
        refreshToken: env.GOOGLE_REFRESH_TOKEN,
      }),
      settings: GoogleSettings.parse({
        ...(env.GOOGLE_API_URL ? { apiUrl: env.GOOGLE_API_URL } : {}),
        ...(env.GOOGLE_TOKEN_URL ? { tokenUrl: env.GOOGLE_TOKEN_URL } : {}),
      }),
    },
  ];
}

export const googleCalendarConnector: Connector<GoogleCredentials, GoogleSettings> = {
  kind: "google",
  title: "Google Calendar",
  /** Google Calendar documents 600 requests/min per user. */
  limits: { perSecond: 10, burst: 20 },
  env: googleEnv,
  connect: googleConnect,
  cli: googleCli,
  docs: googleDocs,
  credentials: GoogleCredentials,
  settings: GoogleSettings,
  scopes: googleScopes,
  pull: (ctx, scope, cursor) =>
    scope.id.startsWith(BUSY_SCOPE_PREFIX) ? pullBusy(ctx, scope) : pullEvents(ctx, scope, cursor),
  normalize: (raw) => normalizeGoogleItem(raw),
  upsertBlock: upsertGoogleBlock,
  blockCalendarId: (settings) => settings.blockCalendarId ?? "primary",
  deleteBlock: deleteGoogleBlock,
  maintainChannels: (ctx, scopes) => maintainGoogleChannels(ctx, scopes),
  fromEnv,
  webhook: { verify: verifyGooglePush, handle: handleGooglePush },
  pushChannels: {
    channelIdHeader: "X-Goog-Channel-ID",
    channelId: (request) => request.headers["x-goog-channel-id"],
    channelToken: (request) => request.headers["x-goog-channel-token"],
    isHandshake: (request) => request.headers["x-goog-resource-state"] === "sync",
  },
};
