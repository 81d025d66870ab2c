/** Every connector this build of Cairn has. Only bin/ reads this list (bin/workers/sync.ts). */
import type { AnyConnector } from "../engine/sync/connector.ts";
import { caldavConnector } from "./caldav/index.ts";
import { googleCalendarConnector } from "./google-calendar/index.ts";
import { icsConnector } from "./ics/index.ts";
import { jiraConnector } from "./jira/index.ts";
import { notionConnector } from "./notion/index.ts";

export const connectors: AnyConnector[] = [
  notionConnector,
  jiraConnector,
  googleCalendarConnector,
  caldavConnector,
  icsConnector,
];
