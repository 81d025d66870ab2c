/**
 * CalDAV connector (tsdav): events from the account's calendars (or one configured calendar) in a window around
 * now, recurring events expanded; focus blocks written back as VEVENTs Cairn owns.
 */
import type { Config } from "../../engine/config.ts";
import type { ConnectionSeed, Connector } from "../../engine/sync/connector.ts";
import { normalizeOccurrence } from "../../engine/sync/ical.ts";
import { caldavCli, caldavConnect, caldavDocs, caldavEnv, caldavVariables } from "./connect.ts";
import { CaldavCredentials, CaldavSettings } from "./dav.ts";
import { caldavScopes, pullCalendar } from "./pull.ts";
import { deleteCaldavBlock, upsertCaldavBlock } from "./write.ts";

export { type CaldavContext, CaldavCredentials, CaldavSettings } from "./dav.ts";
export { blockIdOfUid, blockToICalendar, cairnUid } from "./write.ts";

/** CALDAV_URL + CALDAV_USERNAME + CALDAV_PASSWORD: one connection, its calendars discovered. */
function fromEnv(config: Config): ConnectionSeed<CaldavCredentials, CaldavSettings>[] {
  const env = caldavVariables(config);
  if (!env.CALDAV_URL || !env.CALDAV_USERNAME || !env.CALDAV_PASSWORD) return [];
  return [
    {
      name: "CalDAV",
      credentials: CaldavCredentials.parse({
        username: env.CALDAV_USERNAME,
        password: env.CALDAV_PASSWORD,
      }),
      settings: CaldavSettings.parse({ serverUrl: env.CALDAV_URL }),
    },
  ];
}

export const caldavConnector: Connector<CaldavCredentials, CaldavSettings> = {
  kind: "caldav",
  title: "CalDAV calendar",
  limits: { perSecond: 10, burst: 20 },
  env: caldavEnv,
  connect: caldavConnect,
  cli: caldavCli,
  docs: caldavDocs,
  credentials: CaldavCredentials,
  settings: CaldavSettings,
  scopes: caldavScopes,
  pull: pullCalendar,
  normalize: (raw) => ({ type: "event", event: normalizeOccurrence(raw) }),
  upsertBlock: upsertCaldavBlock,
  blockCalendarId: (settings) => settings.calendarUrl,
  deleteBlock: deleteCaldavBlock,
  fromEnv,
};
