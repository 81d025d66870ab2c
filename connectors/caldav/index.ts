/**
 * CalDAV connector (tsdav): events from the account's calendars (or one configured calendar) in a window around
 * now, recurring events expanded; focus blocks written back as VEVENTs Cairn owns.
 */
import type { Config } from "../../engine/config.ts";
import type { ConnectionSeed, Connector } from "../../engine/sync/connector.ts";
import { normalizeOccurrence } from "../../engine/sync/ical.ts";
import { CaldavCredentials, CaldavSettings } from "./dav.ts";
import { caldavScopes, pullCalendar } from "./pull.ts";
import { deleteCaldavBlock, upsertCaldavBlock } from "./write.ts";

export { type CaldavContext, CaldavCredentials, CaldavSettings } from "./dav.ts";
export { blockIdOfUid, blockToICalendar, cairnUid } from "./write.ts";

/** CALDAV_URL + CALDAV_USERNAME + CALDAV_PASSWORD: one connection, its calendars discovered. */
function fromEnv(config: Config): ConnectionSeed<CaldavCredentials, CaldavSettings>[] {
  if (!config.CALDAV_URL || !config.CALDAV_USERNAME || !config.CALDAV_PASSWORD) return [];
  return [
    {
      name: "CalDAV",
      credentials: CaldavCredentials.parse({
        username: config.CALDAV_USERNAME,
        password: config.CALDAV_PASSWORD,
      }),
      settings: CaldavSettings.parse({ serverUrl: config.CALDAV_URL }),
    },
  ];
}

export const caldavConnector: Connector<CaldavCredentials, CaldavSettings> = {
  kind: "caldav",
  title: "CalDAV calendar",
  credentials: CaldavCredentials,
  settings: CaldavSettings,
  scopes: caldavScopes,
  pull: pullCalendar,
  normalize: (raw) => ({ type: "event", event: normalizeOccurrence(raw) }),
  upsertBlock: upsertCaldavBlock,
  deleteBlock: deleteCaldavBlock,
  fromEnv,
};
