/** How Google Calendar is configured: its env variables, the connect_google action's input, `cairn connect google`. */
import { z } from "zod";
import { type Config, optionalText, optionalUrl } from "../../engine/config.ts";
import {
  type ConnectCli,
  type ConnectorDocs,
  type ConnectSpec,
  envValues,
  HttpUrl,
} from "../../engine/sync/connector.ts";

export const googleEnv = [
  { env: "GOOGLE_CLIENT_ID", description: "Google OAuth client id.", schema: optionalText },
  {
    env: "GOOGLE_CLIENT_SECRET",
    description: "Google OAuth client secret.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "GOOGLE_REFRESH_TOKEN",
    description: "Google OAuth refresh token.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "GOOGLE_API_URL",
    description: "Google API root.",
    default: "https://www.googleapis.com",
    schema: optionalUrl,
  },
  {
    env: "GOOGLE_TOKEN_URL",
    description: "Google OAuth token endpoint.",
    default: "https://oauth2.googleapis.com/token",
    schema: optionalUrl,
  },
  {
    env: "GOOGLE_AUTH_URL",
    description: "Google OAuth consent (authorization) endpoint, used by the console's Add Google Calendar.",
    default: "https://accounts.google.com/o/oauth2/v2/auth",
    schema: optionalUrl,
  },
] as const;

export const googleVariables = (config: Config) => envValues(config, googleEnv);

const input = {
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  refreshToken: z.string().min(1).optional(),
  apiUrl: HttpUrl.optional().describe("Google API root (GOOGLE_API_URL)"),
  tokenUrl: HttpUrl.optional().describe("OAuth token endpoint (GOOGLE_TOKEN_URL)"),
  blockCalendarId: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe("The calendar focus blocks are written to (its id in Google Calendar); default primary"),
};

export const googleConnect: ConnectSpec<typeof input> = {
  title: "Connect Google Calendar",
  description:
    "Connects a Google account's calendars with an OAuth client and refresh token, so meetings block planning time and focus blocks are written back. Returns the connection (never the tokens).",
  input,
  seed: (given, { fromEnv }) =>
    fromEnv(
      {
        GOOGLE_CLIENT_ID: given.clientId,
        GOOGLE_CLIENT_SECRET: given.clientSecret,
        GOOGLE_REFRESH_TOKEN: given.refreshToken,
        GOOGLE_API_URL: given.apiUrl,
        GOOGLE_TOKEN_URL: given.tokenUrl,
      },
      ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_REFRESH_TOKEN"],
    ),
  advanced: (given) => ({
    ...(given.name ? { name: given.name } : {}),
    ...(given.credentials ? { credentials: given.credentials } : {}),
    ...(given.blockCalendarId
      ? { settings: { blockCalendarId: given.blockCalendarId, ...given.settings } }
      : given.settings
        ? { settings: given.settings }
        : {}),
  }),
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const googleCli: ConnectCli = {
  usage: [
    "  google  --client-id <id> --client-secret <secret> --refresh-token <token> [--api-url <url>] [--token-url <url>]",
    "          [--block-calendar <calendar id>]",
  ],
  flags: {
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    "refresh-token": { type: "string" },
    "api-url": { type: "string" },
    "token-url": { type: "string" },
    "block-calendar": { type: "string" },
  },
  input(values, config) {
    const env = googleVariables(config);
    return {
      clientId: text(values["client-id"]) ?? env.GOOGLE_CLIENT_ID,
      clientSecret: text(values["client-secret"]) ?? env.GOOGLE_CLIENT_SECRET,
      refreshToken: text(values["refresh-token"]) ?? env.GOOGLE_REFRESH_TOKEN,
      ...(values["api-url"] ? { apiUrl: values["api-url"] } : {}),
      ...(values["token-url"] ? { tokenUrl: values["token-url"] } : {}),
      ...(values["block-calendar"] ? { blockCalendarId: values["block-calendar"] } : {}),
    };
  },
};

export const googleDocs: ConnectorDocs = {
  env: "`GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET` and `GOOGLE_REFRESH_TOKEN`.",
  webhookRoute: {
    path: "/webhooks/google",
    authenticatedBy:
      "`X-Goog-Channel-ID` and `X-Goog-Channel-Token`: the per-channel token Cairn chose when it opened the watch (stored encrypted)",
    refusedWith: "`400` without a channel id, `401`",
  },
};
