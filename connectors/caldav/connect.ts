/** How CalDAV is configured: its env variables, the connect_caldav action's input, and `cairn connect caldav`. */
import { z } from "zod";
import { type Config, optionalText, optionalUrl } from "../../engine/config.ts";
import {
  type ConnectCli,
  type ConnectorDocs,
  type ConnectSpec,
  envValues,
  HttpUrl,
} from "../../engine/sync/connector.ts";

export const caldavEnv = [
  { env: "CALDAV_URL", description: "CalDAV server URL.", schema: optionalUrl },
  { env: "CALDAV_USERNAME", description: "CalDAV user.", schema: optionalText },
  { env: "CALDAV_PASSWORD", description: "CalDAV password.", secret: true, schema: optionalText },
] as const;

export const caldavVariables = (config: Config) => envValues(config, caldavEnv);

const input = {
  url: HttpUrl.optional().describe("The CalDAV server or calendar URL"),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
};

export const caldavConnect: ConnectSpec<typeof input> = {
  title: "Connect a CalDAV calendar",
  description:
    "Connects a CalDAV server (Nextcloud, Fastmail, Radicale, iCloud...) with a username and password: events block planning time and focus blocks are written back. Returns the connection (never the password).",
  input,
  seed: (given, { fromEnv }) =>
    fromEnv({ CALDAV_URL: given.url, CALDAV_USERNAME: given.username, CALDAV_PASSWORD: given.password }, [
      "CALDAV_URL",
      "CALDAV_USERNAME",
      "CALDAV_PASSWORD",
    ]),
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const caldavCli: ConnectCli = {
  usage: ["  caldav  --url <url> --username <user> --password <password>"],
  flags: {
    url: { type: "string", multiple: true },
    username: { type: "string" },
    password: { type: "string" },
  },
  input(values, config) {
    const env = caldavVariables(config);
    const urls = Array.isArray(values.url) ? values.url.filter((url) => typeof url === "string") : [];
    return {
      url: urls[0] ?? env.CALDAV_URL,
      username: text(values.username) ?? env.CALDAV_USERNAME,
      password: text(values.password) ?? env.CALDAV_PASSWORD,
    };
  },
};

export const caldavDocs: ConnectorDocs = {
  env: "`CALDAV_URL`, `CALDAV_USERNAME` and `CALDAV_PASSWORD`.",
};
