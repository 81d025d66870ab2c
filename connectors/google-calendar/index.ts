/**
 * Google Calendar connector: events of the primary calendar (and configured ones) with incremental syncToken
 * sync, busy intervals of busy-only calendars through freeBusy, focus blocks written back as events Cairn owns,
 * and push channels (events.watch) whose notifications trigger a targeted sync.
 */
import type { Config } from "../../engine/config.ts";
import type { ConnectionSeed, Connector } from "../../engine/sync/connector.ts";
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
  if (!config.GOOGLE_CLIENT_ID || !config.GOOGLE_CLIENT_SECRET || !config.GOOGLE_REFRESH_TOKEN) return [];
  return [
    {
      name: "Google Calendar",
      credentials: GoogleCredentials.parse({
        clientId: config.GOOGLE_CLIENT_ID,
        clientSecret: config.GOOGLE_CLIENT_SECRET,
        refreshToken: config.GOOGLE_REFRESH_TOKEN,
      }),
      settings: GoogleSettings.parse({
        ...(config.GOOGLE_API_URL ? { apiUrl: config.GOOGLE_API_URL } : {}),
        ...(config.GOOGLE_TOKEN_URL ? { tokenUrl: config.GOOGLE_TOKEN_URL } : {}),
      }),
    },
  ];
}

export const googleCalendarConnector: Connector<GoogleCredentials, GoogleSettings> = {
  kind: "google",
  title: "Google Calendar",
  credentials: GoogleCredentials,
  settings: GoogleSettings,
  scopes: googleScopes,
  pull: (ctx, scope, cursor) =>
    scope.id.startsWith(BUSY_SCOPE_PREFIX) ? pullBusy(ctx, scope) : pullEvents(ctx, scope, cursor),
  normalize: (raw) => normalizeGoogleItem(raw),
  upsertBlock: upsertGoogleBlock,
  deleteBlock: deleteGoogleBlock,
  maintainChannels: (ctx, scopes) => maintainGoogleChannels(ctx, scopes),
  fromEnv,
  webhook: { verify: verifyGooglePush, handle: handleGooglePush },
};
