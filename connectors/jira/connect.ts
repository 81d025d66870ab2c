/** How Jira is configured: its env variables, the connect_jira action's input, and `cairn connect jira`. */
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

export const jiraEnv = [
  { env: "JIRA_HOST", description: "Jira Cloud site, e.g. https://acme.atlassian.net.", schema: optionalUrl },
  { env: "JIRA_EMAIL", description: "Jira account email for basic auth.", schema: optionalText },
  { env: "JIRA_API_TOKEN", description: "Jira API token.", secret: true, schema: optionalText },
  {
    env: "JIRA_JQL",
    description: "Which issues to sync.",
    default: "assignee = currentUser()",
    schema: optionalText,
  },
  {
    env: "JIRA_WEBHOOK_SECRET",
    description: "Secret of the Jira admin webhook (X-Hub-Signature).",
    secret: true,
    schema: optionalText,
  },
] as const;

export const jiraVariables = (config: Config) => envValues(config, jiraEnv);

const input = {
  host: HttpUrl.optional().describe("The site, e.g. https://acme.atlassian.net"),
  email: z.string().min(1).optional(),
  apiToken: z.string().min(1).optional(),
  jql: z.string().min(1).optional().describe("Which issues to sync; default: assignee = currentUser()"),
  webhookSecret: z.string().min(1).optional().describe("Secret of the Jira admin webhook (X-Hub-Signature)"),
};

export const jiraConnect: ConnectSpec<typeof input> = {
  title: "Connect Jira",
  description:
    "Connects a Jira Cloud site with an account email and API token; issues matching the JQL (default: assigned to that account) sync into Cairn with status, priority, due date, estimates and 'Blocks' links. Returns the connection (never the token).",
  input,
  examples: ["connect jira"],
  seed(given): ConnectionSeed {
    if (!given.credentials && (!given.email || !given.apiToken)) {
      throw invalidInput("email and apiToken are required", [
        ...(given.email ? [] : [{ path: "email", message: "the Atlassian account email" }]),
        ...(given.apiToken ? [] : [{ path: "apiToken", message: "an API token from id.atlassian.com" }]),
      ]);
    }
    if (!given.host && !given.settings) {
      throw invalidInput("host is required", [{ path: "host", message: "e.g. https://acme.atlassian.net" }]);
    }
    return {
      name: given.name ?? "Jira",
      credentials: { email: given.email, apiToken: given.apiToken },
      settings: { host: given.host, ...(given.jql ? { jql: given.jql } : {}) },
      ...(given.webhookSecret ? { webhookSecret: given.webhookSecret } : {}),
    };
  },
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const jiraCli: ConnectCli = {
  usage: ["  jira    --host <https://x.atlassian.net> --email <email> --api-token <token> [--jql <jql>]"],
  flags: {
    host: { type: "string" },
    email: { type: "string" },
    "api-token": { type: "string" },
    jql: { type: "string" },
  },
  input(values, config) {
    const env = jiraVariables(config);
    const jql = text(values.jql) ?? env.JIRA_JQL;
    const webhookSecret = text(values["webhook-secret"]) ?? env.JIRA_WEBHOOK_SECRET;
    return {
      host: text(values.host) ?? env.JIRA_HOST,
      email: text(values.email) ?? env.JIRA_EMAIL,
      apiToken: text(values["api-token"]) ?? env.JIRA_API_TOKEN,
      ...(jql ? { jql } : {}),
      ...(webhookSecret ? { webhookSecret } : {}),
    };
  },
};

export const jiraDocs: ConnectorDocs = {
  env: "`JIRA_HOST`, `JIRA_EMAIL` and `JIRA_API_TOKEN`, with optional `JIRA_JQL`.",
  webhookRoute: {
    path: "/webhooks/jira[/:connectionId]",
    authenticatedBy: "`X-Hub-Signature`: HMAC-SHA256 of the body with the connection's webhook secret",
    refusedWith: "`401`, nothing queued",
  },
};
