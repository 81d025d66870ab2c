/** How Notion is configured: its env variables, the connect_notion action's input, and `cairn connect notion`. */
import { z } from "zod";
import { type Config, optionalText, optionalUrl } from "../../engine/config.ts";
import { invalidInput } from "../../engine/errors.ts";
import {
  type ConnectCli,
  type ConnectionSeed,
  type ConnectorDocs,
  type ConnectSpec,
  envValues,
  HttpUrl,
} from "../../engine/sync/connector.ts";

export const notionEnv = [
  {
    env: "NOTION_TOKEN",
    description: "Notion integration token (demo workspace).",
    secret: true,
    schema: optionalText,
  },
  {
    env: "NOTION_API_URL",
    description: "Notion API root, for proxies and tests.",
    default: "https://api.notion.com",
    schema: optionalUrl,
  },
  { env: "NOTION_DATABASE_ID", description: "Sync only this Notion database.", schema: optionalText },
  { env: "NOTION_DATA_SOURCE_ID", description: "Sync only this Notion data source.", schema: optionalText },
  {
    env: "NOTION_ESTIMATE_UNIT",
    description:
      "Unit of the Notion estimate number: minutes or hours. Default: what the property's name or description says (min, minutes, (m) / h, hours, hrs), else hours.",
    schema: z.enum(["minutes", "hours"]).optional(),
  },
  {
    env: "NOTION_WEBHOOK_SECRET",
    description: "Notion webhook verification token (signs X-Notion-Signature).",
    secret: true,
    schema: optionalText,
  },
] as const;

export const notionVariables = (config: Config) => envValues(config, notionEnv);

const input = {
  token: z.string().min(1).optional().describe("The integration's secret (ntn_...)"),
  apiUrl: HttpUrl.optional().describe("Notion API root; default https://api.notion.com (or NOTION_API_URL)"),
  dataSourceIds: z.array(z.string().min(1)).optional(),
  databaseIds: z.array(z.string().min(1)).optional(),
  propertyMap: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      "Task field → Notion property name: title, status, done, due, start, priority, estimate, assignee, dependsOn, tags, link, description",
    ),
  estimateUnit: z
    .enum(["minutes", "hours"])
    .optional()
    .describe(
      "Unit of the estimate number; default: what the property's name or description says (min, minutes, (m) / h, hours, hrs), else hours",
    ),
  webhookSecret: z.string().min(1).optional().describe("The webhook subscription's verification token"),
};

export const notionConnect: ConnectSpec<typeof input> = {
  title: "Connect Notion",
  description:
    "Connects a Notion integration (internal integration token) so tasks from its data sources sync into Cairn. Without dataSourceIds or databaseIds, every data source shared with the integration is synced. Properties are detected (title, status or checkbox, date, priority select, estimate number, people, 'Blocked by' relation); override with propertyMap. Returns the connection (never the token).",
  input,
  examples: ["connect notion"],
  seed(given, { config }): ConnectionSeed {
    if (!given.token && !given.credentials) {
      throw invalidInput("token is required", [
        { path: "token", message: "give the Notion integration secret" },
      ]);
    }
    const apiUrl = given.apiUrl ?? notionVariables(config).NOTION_API_URL;
    return {
      name: given.name ?? "Notion",
      credentials: { token: given.token },
      settings: {
        ...(apiUrl ? { apiUrl } : {}),
        ...(given.dataSourceIds ? { dataSourceIds: given.dataSourceIds } : {}),
        ...(given.databaseIds ? { databaseIds: given.databaseIds } : {}),
        ...(given.propertyMap ? { propertyMap: given.propertyMap } : {}),
        ...(given.estimateUnit ? { estimateUnit: given.estimateUnit } : {}),
      },
      ...(given.webhookSecret ? { webhookSecret: given.webhookSecret } : {}),
    };
  },
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const texts = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined;

export const notionCli: ConnectCli = {
  usage: [
    "  notion  --token <secret> [--api-url <url>] [--data-source <id>]... [--database <id>]... [--property field=Name]...",
    "          [--estimate-unit minutes|hours]",
    "  notion --webhook [--connection <id>]   open a 10-minute window to receive Notion's webhook verification token",
    "          and print it when it arrives (on an existing Notion connection, e.g. the one from NOTION_TOKEN)",
  ],
  flags: {
    token: { type: "string" },
    "api-url": { type: "string" },
    "data-source": { type: "string", multiple: true },
    database: { type: "string", multiple: true },
    property: { type: "string", multiple: true },
    "estimate-unit": { type: "string" },
  },
  input(values, config) {
    const env = notionVariables(config);
    const propertyMap: Record<string, string> = {};
    for (const entry of texts(values.property) ?? []) {
      const [field, ...rest] = entry.split("=");
      if (!field || rest.length === 0)
        return { error: `--property expects field=Property Name (got "${entry}")` };
      propertyMap[field] = rest.join("=");
    }
    const webhookSecret = text(values["webhook-secret"]) ?? env.NOTION_WEBHOOK_SECRET;
    return {
      token: text(values.token) ?? env.NOTION_TOKEN,
      ...(values["api-url"] ? { apiUrl: values["api-url"] } : {}),
      ...(values["data-source"] ? { dataSourceIds: texts(values["data-source"]) } : {}),
      ...(values.database ? { databaseIds: texts(values.database) } : {}),
      ...(Object.keys(propertyMap).length > 0 ? { propertyMap } : {}),
      ...(values["estimate-unit"] ? { estimateUnit: values["estimate-unit"] } : {}),
      ...(webhookSecret ? { webhookSecret } : {}),
    };
  },
  webhookSetup: {
    usage: "cairn connect notion --webhook [--connection <id>]",
    openAction: "open_notion_webhook_setup",
    showAction: "get_notion_webhook_token",
    provider: "Notion",
    where: "your integration → Webhooks",
  },
};

export const notionDocs: ConnectorDocs = {
  env: "`NOTION_TOKEN` syncs every data source shared with the integration; `NOTION_DATA_SOURCE_ID` or\n    `NOTION_DATABASE_ID` narrows it. `NOTION_ESTIMATE_UNIT` (`minutes` or `hours`) sets the estimate's unit.",
  webhookRoute: {
    path: "/webhooks/notion[/:connectionId]",
    authenticatedBy: "`X-Notion-Signature`: HMAC-SHA256 of the body with the connection's verification token",
    refusedWith: "`401`, nothing stored or queued",
  },
};
