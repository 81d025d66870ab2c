/** How ICS subscriptions are configured: ICS_URLS, the connect_ics action's input, and `cairn connect ics`. */
import { z } from "zod";
import { type Config, urlList } from "../../engine/config.ts";
import {
  type ConnectCli,
  type ConnectorDocs,
  type ConnectSpec,
  envValues,
} from "../../engine/sync/connector.ts";

export const icsEnv = [
  { env: "ICS_URLS", description: "ICS calendar subscriptions (comma-separated URLs).", schema: urlList },
] as const;

export const icsVariables = (config: Config) => envValues(config, icsEnv);

const input = {
  urls: z
    .array(
      z.url({
        protocol: /^(https?|webcals?)$/,
        error:
          "expected an http://, https:// or webcal:// URL (file:, ftp:, gopher:, data: and other schemes are refused)",
      }),
    )
    .min(1)
    .optional()
    .describe("One or more .ics URLs (http, https or webcal)"),
};

export const icsConnect: ConnectSpec<typeof input> = {
  title: "Subscribe to an ICS calendar",
  description:
    "Subscribes to calendars published as ICS URLs (read-only), one connection per URL: their events block planning time. Returns the (first) connection, and all of them in `connections` when several URLs were given.",
  input,
  seed: (given, { allFromEnv }) => allFromEnv({ ICS_URLS: given.urls }, ["ICS_URLS"]),
};

export const icsCli: ConnectCli = {
  usage: ["  ics     --url <url> [--url <url>]..."],
  flags: { url: { type: "string", multiple: true } },
  input: (values, config) => ({ urls: values.url ?? icsVariables(config).ICS_URLS }),
};

export const icsDocs: ConnectorDocs = { env: "`ICS_URLS`." };
