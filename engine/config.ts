/**
 * Every setting comes from the environment (and an optional .env). Each is declared once, with its meaning
 * and default: Cairn's own here, a connector's in its definition (connectors/<folder>); `cairn config` and the
 * README's table are generated from both lists.
 */
import { z } from "zod";
import { redactUrl as redactUrlCredentials } from "./security/redact.ts";
import { allowListEntryProblem } from "./sync/url-guard.ts";

export interface SettingSpec {
  env: string;
  description: string;
  /** Shown in docs; the schema holds the real default. */
  default?: string;
  secret?: boolean;
  schema: z.ZodType;
}

const port = z.coerce.number().int().min(0).max(65535);
const flag = z
  .enum(["0", "1", "true", "false", ""])
  .transform((value) => value === "1" || value === "true")
  .default(false);
const url = z.url();
export const optionalUrl = url.optional();
export const optionalText = z.string().min(1).optional();
const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");
export const urlList = z
  .string()
  .transform((value) =>
    value
      .split(/[\s,]+/)
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(z.array(url))
  .optional();

export const settings = [
  { env: "PORT", description: "HTTP port of the server.", default: "3000", schema: port.default(3000) },
  {
    env: "HOST",
    description: "Interface the server binds to. Set 0.0.0.0 to listen beyond this machine.",
    default: "127.0.0.1",
    schema: z.string().min(1).default("127.0.0.1"),
  },
  {
    env: "CAIRN_PUBLIC_URL",
    description: "The URL people and providers reach Cairn at (webhooks, OAuth metadata).",
    default: "http://HOST:PORT",
    schema: optionalUrl,
  },
  {
    env: "CAIRN_DATA_DIR",
    description: "Embedded mode: where PGlite keeps its files and the generated master key.",
    default: "./.cairn",
    schema: z.string().min(1).default("./.cairn"),
  },
  {
    env: "DATABASE_URL",
    description: "PostgreSQL (with pgvector) connection string. Unset: embedded PGlite in CAIRN_DATA_DIR.",
    secret: true,
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
      .optional(),
  },
  {
    env: "REDIS_URL",
    description: "Redis for BullMQ jobs. Unset: an in-process queue (single process).",
    secret: true,
    schema: z
      .string()
      .regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL")
      .optional(),
  },
  {
    env: "CAIRN_MASTER_KEY",
    description:
      "32-byte key (base64 or 64 hex chars) encrypting stored credentials with AES-256-GCM. Embedded: generated in CAIRN_DATA_DIR when unset; required with DATABASE_URL.",
    secret: true,
    schema: z
      .string()
      .refine(
        (value) => /^[0-9a-fA-F]{64}$/.test(value) || Buffer.from(value, "base64").length === 32,
        "expected 32 bytes as base64 or 64 hex characters (make one with: openssl rand -base64 32)",
      )
      .optional(),
  },
  {
    env: "CAIRN_WORKSPACE",
    description: "Slug of the workspace that env-configured connections belong to.",
    default: "demo",
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "expected a lowercase slug like acme-inc")
      .default("demo"),
  },
  { env: "CAIRN_LOG_LEVEL", description: "pino log level.", default: "info", schema: logLevel },
  {
    env: "CAIRN_NUDGE_EVERY_MINUTES",
    description:
      "How often the nudge evaluator looks at everyone's day and schedules coaching nudges; 0 turns the evaluator off.",
    default: "5",
    schema: z.coerce.number().int().min(0).max(1440).default(5),
  },
  {
    env: "CAIRN_INSIGHTS_EVERY_MINUTES",
    description:
      "How often the stored insight figures behind the console's workspace aggregate are brought up to date (everyone's older than 3 h); 0 turns the schedule off, and only a console view that finds figures missing or stale asks for a refresh.",
    default: "30",
    schema: z.coerce.number().int().min(0).max(1440).default(30),
  },
  {
    env: "CAIRN_SHUTDOWN_TIMEOUT_MS",
    description:
      "On SIGTERM, how long to wait for requests and jobs to finish. Shutdown not done 3 s later exits with status 1.",
    default: "10000",
    schema: z.coerce.number().int().positive().default(10_000),
  },
  {
    env: "CAIRN_RATE_LIMIT_PER_MINUTE",
    description: "Calls allowed per API token per minute, HTTP API and MCP together.",
    default: "600",
    schema: z.coerce.number().int().positive().default(600),
  },
  {
    env: "CAIRN_AUTH_FAILURES_PER_MINUTE",
    description:
      "Failed authentications allowed per client address per minute (HTTP API and MCP); beyond it, 429.",
    default: "20",
    schema: z.coerce.number().int().positive().default(20),
  },
  {
    env: "CAIRN_TRUST_PROXY",
    description:
      "Hops of reverse proxies in front of Cairn whose X-Forwarded-For is trusted for the client address (0: none).",
    default: "0",
    schema: z.coerce.number().int().min(0).max(10).default(0),
  },
  {
    env: "CAIRN_ALLOW_SUPERUSER",
    description:
      "Let DATABASE_URL log in as a superuser or a BYPASSRLS role (row-level security then protects nothing).",
    default: "0",
    schema: flag,
  },
  {
    env: "CAIRN_ALLOWED_ORIGINS",
    description:
      "Extra browser origins allowed to call /mcp and /api (comma-separated). Localhost is always allowed.",
    schema: urlList,
  },
  {
    env: "CAIRN_ALLOWED_PRIVATE_NETWORKS",
    description:
      "Private hosts and networks connections may reach (comma-separated host names and CIDRs, e.g. nextcloud.lan,10.0.0.0/8,fd00::/8). Cloud metadata addresses are never reachable.",
    schema: z
      .string()
      .transform((value) =>
        value
          .split(/[\s,]+/)
          .map((item) => item.trim())
          .filter(Boolean),
      )
      .superRefine((entries, ctx) => {
        for (const entry of entries) {
          const problem = allowListEntryProblem(entry);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }
      })
      .optional(),
  },
  {
    env: "CAIRN_ALLOW_PRIVATE_URLS",
    description:
      "Let connections reach every private or loopback address (tests, on-premise servers); never link-local or cloud metadata ones. Prefer CAIRN_ALLOWED_PRIVATE_NETWORKS.",
    default: "0",
    schema: flag,
  },
  {
    env: "CAIRN_OAUTH_ISSUER",
    description: "External OAuth authorization server whose JWTs are accepted on /mcp (issuer URL).",
    schema: optionalUrl,
  },
  {
    env: "CAIRN_OAUTH_AUDIENCE",
    description: "Audience the external OAuth tokens must carry. Defaults to CAIRN_PUBLIC_URL/mcp.",
    schema: optionalText,
  },
  {
    env: "CAIRN_OAUTH_JWKS_URL",
    description: "JWKS of the OAuth issuer. Default: discovered from the issuer's metadata.",
    schema: optionalUrl,
  },
  {
    env: "CAIRN_OAUTH_CLIENT_ID",
    description:
      "Console single sign-on: the OAuth client id registered at CAIRN_OAUTH_ISSUER (redirect URI <public URL>/admin/api/sso/callback). With it, the sign-in page offers Sign in with SSO.",
    schema: optionalText,
  },
  {
    env: "CAIRN_OAUTH_CLIENT_SECRET",
    description:
      "Console single sign-on: that client's secret (unset for a public client; PKCE is used either way).",
    secret: true,
    schema: optionalText,
  },
  {
    env: "CAIRN_LLM_URL",
    description:
      "Optional: an OpenAI-compatible chat-completions API (e.g. https://api.openai.com/v1 or a local server) that reads chat messages, with the person's actions as tools. Unset: the built-in parser alone.",
    schema: optionalUrl,
  },
  {
    env: "CAIRN_LLM_API_KEY",
    description: "API key for CAIRN_LLM_URL (sent as a Bearer token).",
    secret: true,
    schema: optionalText,
  },
  {
    env: "CAIRN_LLM_MODEL",
    description: "Model name for CAIRN_LLM_URL, e.g. gpt-4o-mini.",
    schema: optionalText,
  },
  {
    env: "CAIRN_LLM_TIMEOUT_MS",
    description: "How long a chat message waits for the LLM before the built-in parser answers instead.",
    default: "6000",
    schema: z.coerce.number().int().min(100).max(120_000).default(6000),
  },
  {
    env: "CAIRN_TAG_SUGGESTION_THRESHOLD",
    description:
      "Smart tags: the confidence (0 to 1) a suggested tag needs before create_task applies it to a task created without tags. 1 turns automatic tagging off; suggest_tags still answers.",
    default: "0.6",
    schema: z.coerce.number().min(0).max(1).default(0.6),
  },
  // Microsoft Teams (bots/teams): botbuilder's own setting names, read as the SDK reads them.
  {
    env: "MicrosoftAppId",
    description:
      "Teams: the bot's Microsoft app id (Azure Bot registration). Set to turn on POST /api/messages.",
    schema: optionalText,
  },
  {
    env: "MicrosoftAppPassword",
    description: "Teams: the bot's client secret.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "MicrosoftAppType",
    description: "Teams: MultiTenant, SingleTenant or UserAssignedMSI.",
    default: "MultiTenant",
    schema: z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"]).default("MultiTenant"),
  },
  {
    env: "MicrosoftAppTenantId",
    description: "Teams: the bot's Entra tenant (SingleTenant and UserAssignedMSI bots).",
    schema: optionalText,
  },
  {
    env: "ToBotFromChannelOpenIdMetadataUrl",
    description:
      "Teams: OpenID metadata for the channel's activity tokens (botbuilder override; tests, sovereign clouds).",
    schema: optionalUrl,
  },
  {
    env: "ToBotFromChannelTokenIssuer",
    description: "Teams: issuer expected on the channel's activity tokens (botbuilder override).",
    schema: optionalText,
  },
  {
    env: "ToBotFromEmulatorOpenIdMetadataUrl",
    description: "Teams: OpenID metadata for Emulator and skill tokens (botbuilder override).",
    schema: optionalUrl,
  },
  {
    env: "ToChannelFromBotLoginUrl",
    description: "Teams: login URL (authority) the bot gets its outgoing tokens from (botbuilder override).",
    schema: optionalUrl,
  },
  {
    env: "ToChannelFromBotOAuthScope",
    description: "Teams: scope of the bot's outgoing tokens (botbuilder override).",
    schema: optionalText,
  },
  {
    env: "BotOpenIdMetadata",
    description: "Teams: older name of ToBotFromChannelOpenIdMetadataUrl, read when that one is unset.",
    schema: optionalUrl,
  },
  {
    env: "OAuthApiEndpoint",
    description: "Teams: Bot Framework token service URL for user sign-in (botbuilder's OAuthUrl).",
    schema: optionalUrl,
  },
  {
    env: "ChannelService",
    description:
      "Teams: botbuilder's cloud selector (unset: public Azure; https://botframework.azure.us: US Government).",
    schema: optionalText,
  },
  {
    env: "SLACK_SIGNING_SECRET",
    description:
      "Slack app signing secret; turns the Slack face on (/slack/events, Bolt verifies every request).",
    secret: true,
    schema: optionalText,
  },
  {
    env: "SLACK_BOT_TOKEN",
    description: "Single-workspace Slack: the bot token (xoxb-...); Slack users belong to CAIRN_WORKSPACE.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "SLACK_API_URL",
    description: "Slack Web API root, for proxies and tests.",
    default: "https://slack.com/api/",
    schema: optionalUrl,
  },
  {
    env: "SLACK_CLIENT_ID",
    description: "Multi-workspace Slack: OAuth client id (with SLACK_CLIENT_SECRET and SLACK_STATE_SECRET).",
    schema: optionalText,
  },
  {
    env: "SLACK_CLIENT_SECRET",
    description: "Slack OAuth client secret.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "SLACK_STATE_SECRET",
    description: "Secret signing the Slack OAuth state parameter.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "SLACK_APP_TOKEN",
    description: "Slack app-level token (xapp-...): Socket Mode instead of HTTP events.",
    secret: true,
    schema: optionalText,
  },
  {
    env: "CAIRN_CHAT_AUTO_PROVISION",
    description:
      "Chat: create a member for a Slack or Teams user whose email has no Cairn person yet (0: refuse politely).",
    default: "1",
    schema: z
      .enum(["0", "1", "true", "false", ""])
      .transform((value) => value !== "0" && value !== "false")
      .default(true),
  },
  {
    env: "SMTP_URL",
    description:
      "Email: the mail server nudges and the weekly review are sent through, smtp://user:password@host:587 (STARTTLS when offered) or smtps://user:password@host:465. Unset: no email.",
    secret: true,
    schema: z
      .string()
      .regex(/^smtps?:\/\/[^/?#]+/, "expected smtp://user:password@host:port or smtps://...")
      .refine((value) => URL.canParse(value), "expected a URL such as smtp://user:password@host:587")
      .optional(),
  },
  {
    env: "CAIRN_MAIL_FROM",
    description:
      'Email: the sender of Cairn\'s emails, "Cairn <cairn@example.com>" or an address. Required with SMTP_URL.',
    schema: z
      .string()
      .regex(
        /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
        'expected an address or "Name <address>", e.g. Cairn <cairn@example.com>',
      )
      .optional(),
  },
] as const satisfies readonly SettingSpec[];

type Settings = typeof settings;
/** Cairn's own settings, typed. */
export type CoreConfig = { [S in Settings[number] as S["env"]]: z.output<S["schema"]> };
/** The loaded configuration: Cairn's settings, and the connectors' variables (read with envValues). */
export type Config = CoreConfig & { readonly [connectorVariable: string]: unknown };

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}\nFix the environment (or .env) and start again.`,
    );
  }
}

/**
 * Parses and checks every setting, Cairn's and the registered connectors' (`connectorSettings`); collects all
 * problems before failing. Empty strings count as unset.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  connectorSettings: readonly SettingSpec[] = [],
): Config {
  const problems: { variable: string; message: string }[] = [];
  const config: Record<string, unknown> = {};
  const specs: readonly SettingSpec[] = [...settings, ...connectorSettings];
  for (const spec of specs) {
    const raw = env[spec.env];
    const result = spec.schema.safeParse(raw === "" ? undefined : raw);
    if (result.success) {
      config[spec.env] = result.data;
    } else {
      const issue = result.error.issues[0];
      const shown = spec.secret ? "" : ` (got ${JSON.stringify(raw)})`;
      problems.push({ variable: spec.env, message: `${issue?.message ?? "invalid value"}${shown}` });
    }
  }
  if (config.SMTP_URL && !config.CAIRN_MAIL_FROM)
    problems.push({
      variable: "CAIRN_MAIL_FROM",
      message: 'required with SMTP_URL: the sender of Cairn\'s emails, e.g. "Cairn <cairn@example.com>"',
    });
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Config;
}

/** Masks a secret for display: the first characters of nothing, just whether it is set. */
export function maskSecret(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(unset)";
  return "•••••• (set)";
}

/** Removes the credentials (user:password@, ?token=...) from a connection URL for messages and logs. */
export function redactUrl(value: string): string {
  if (!URL.canParse(value)) return "(unparseable URL)";
  return redactUrlCredentials(value);
}

/** How `cairn config` and the README write a value: booleans as 1/0, lists comma-separated, URLs redacted. */
function showValue(value: unknown): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Array.isArray(value)) return value.map(showValue).join(",");
  return typeof value === "string" ? redactUrlCredentials(value) : String(value);
}

/**
 * The configuration in effect for `cairn config`, secrets masked. A variable the environment leaves unset
 * shows the value that applies in its place, marked "(default)"; the embedded master key says where it is.
 */
export function describeConfig(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  connectorSettings: readonly SettingSpec[] = [],
): { variable: string; value: string; description: string }[] {
  return [...settings, ...connectorSettings].map((spec: SettingSpec) => {
    const value = config[spec.env];
    const unset = env[spec.env] === undefined || env[spec.env] === "";
    let shown: string;
    if (spec.secret && value !== undefined) shown = maskSecret(value);
    else if (spec.env === "CAIRN_MASTER_KEY" && !config.DATABASE_URL)
      shown = `(generated, in the data dir: ${config.CAIRN_DATA_DIR.replace(/\/$/, "")}/master.key)`;
    else if (spec.env === "CAIRN_PUBLIC_URL" && value === undefined) shown = `${publicUrl(config)} (default)`;
    else if (value === undefined) shown = spec.default ? `${spec.default} (default)` : "(unset)";
    else shown = unset ? `${showValue(value)} (default)` : showValue(value);
    return { variable: spec.env, value: shown, description: spec.description };
  });
}

export function publicUrl(config: Config): string {
  const host = config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST;
  return (config.CAIRN_PUBLIC_URL ?? `http://${host}:${config.PORT}`).replace(/\/$/, "");
}
