/**
 * Notion's webhook set-up: Notion sends its verification token once, unsigned, to the URL of a new
 * subscription. These two actions open a short window in which Cairn accepts it, and show it to the admin.
 */
import { z } from "zod";
import { ConnectionId } from "../../engine/actions/connections.ts";
import { type ActionContext, type AnyAction, defineAction } from "../../engine/actions/define.ts";
import { publicUrl } from "../../engine/config.ts";
import {
  type ConnectionRecord,
  listConnectionRecords,
  openWebhookSetup,
  sealedSecrets,
} from "../../engine/db/repositories/connections.ts";
import { recordAudit } from "../../engine/db/repositories/event-log.ts";
import { conflict, invalidInput, notFound } from "../../engine/errors.ts";

/** How long an admin's webhook set-up window stays open. */
export const WEBHOOK_SETUP_MINUTES = 10;

async function notionConnection(ctx: ActionContext, id: string | undefined): Promise<ConnectionRecord> {
  const all = await ctx.services.db.scoped(ctx.workspace.id, (tx) => listConnectionRecords(tx));
  const notion = all.filter((connection) => connection.kind === "notion");
  if (id) {
    const one = notion.find((connection) => connection.id === id);
    if (!one)
      throw notFound(`No Notion connection ${id} in this workspace. List them with list_connections.`);
    return one;
  }
  const [only, ...others] = notion;
  if (!only) throw notFound("No Notion connection in this workspace. Connect one first with connect_notion.");
  if (others.length > 0) {
    throw invalidInput(
      `This workspace has ${notion.length} Notion connections: say which one with connection (${notion.map((c) => `${c.id} "${c.name}"`).join(", ")}).`,
      [{ path: "connection", message: "one of the Notion connections' ids" }],
    );
  }
  return only;
}

const webhookUrlOf = (ctx: ActionContext, connection: ConnectionRecord) =>
  `${publicUrl(ctx.services.config)}/webhooks/${connection.kind}/${connection.id}`;

export const openNotionWebhookSetup = defineAction({
  name: "open_notion_webhook_setup",
  title: "Open the Notion webhook set-up window",
  description: `Lets Cairn receive Notion's webhook verification token for one Notion connection during the next ${WEBHOOK_SETUP_MINUTES} minutes. Create the webhook subscription in Notion's integration settings with the returned webhookUrl; Notion then sends a verification token, which get_notion_webhook_token shows to you to paste into Notion's Verify dialog. Outside such a window, unsigned requests are refused. Not needed when the connection's webhook secret is configured (NOTION_WEBHOOK_SECRET or connect_notion webhookSecret).`,
  input: z.object({
    connection: ConnectionId.optional().describe(
      "The Notion connection; may be left out when the workspace has one",
    ),
  }),
  output: z.object({ connectionId: z.uuid(), webhookUrl: z.string(), expiresAt: z.string() }),
  scope: "admin",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(ctx, input) {
    const connection = await notionConnection(ctx, input.connection);
    if (connection.webhookSecretSource === "configured" || connection.webhookSecretSource === "verified") {
      throw conflict(
        connection.webhookSecretSource === "configured"
          ? `"${connection.name}" already has a configured webhook secret (NOTION_WEBHOOK_SECRET or connect_notion webhookSecret); Notion's events are verified with it and no set-up window is needed.`
          : `"${connection.name}" already has a verified webhook secret; a set-up window would not replace it. To use a new Notion subscription, give its token with connect_notion webhookSecret.`,
      );
    }
    const expiresAt = new Date(ctx.services.now().getTime() + WEBHOOK_SETUP_MINUTES * 60_000);
    await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      await openWebhookSetup(tx, connection.id, ctx.person.id, expiresAt);
      await recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "open_notion_webhook_setup",
        target: connection.id,
        details: { expiresAt: expiresAt.toISOString() },
      });
    });
    return {
      connectionId: connection.id,
      webhookUrl: webhookUrlOf(ctx, connection),
      expiresAt: expiresAt.toISOString(),
    };
  },
});

export const getNotionWebhookToken = defineAction({
  name: "get_notion_webhook_token",
  title: "Show the captured Notion webhook token",
  description:
    "Shows where a Notion connection's webhook set-up stands: waiting (a set-up window is open and Notion has not sent its token yet), captured (the token arrived: paste it into Notion's Verify dialog; shown only to the admin who opened the window), verified (Notion's signed events match it), configured (given by env or connect_notion), or closed (no window open; open one with open_notion_webhook_setup).",
  input: z.object({
    connection: ConnectionId.optional().describe(
      "The Notion connection; may be left out when the workspace has one",
    ),
  }),
  output: z.object({
    connectionId: z.uuid(),
    state: z.enum(["waiting", "captured", "verified", "configured", "closed"]),
    token: z
      .string()
      .nullable()
      .describe(
        "The verification token to paste into Notion (state captured, for the admin who opened the window)",
      ),
    webhookUrl: z.string(),
    expiresAt: z.string().nullable().describe("When the open set-up window closes"),
    capturedAt: z.string().nullable(),
  }),
  scope: "admin",
  annotations: { readOnlyHint: true },
  async run(ctx, input) {
    const connection = await notionConnection(ctx, input.connection);
    const now = ctx.services.now().getTime();
    const open = connection.webhookSetupUntil !== null && Date.parse(connection.webhookSetupUntil) > now;
    const state = connection.webhookSecretSource ?? (open ? ("waiting" as const) : ("closed" as const));
    let token: string | null = null;
    if (state === "captured" && connection.webhookSetupBy === ctx.person.id) {
      const sealed = await ctx.services.db.scoped(ctx.workspace.id, (tx) => sealedSecrets(tx, connection.id));
      token = sealed?.webhookSecret ? ctx.services.secrets.open(sealed.webhookSecret) : null;
    }
    return {
      connectionId: connection.id,
      state,
      token,
      webhookUrl: webhookUrlOf(ctx, connection),
      expiresAt: open ? connection.webhookSetupUntil : null,
      capturedAt: connection.webhookCapturedAt,
    };
  },
});

export const notionActions: AnyAction[] = [openNotionWebhookSetup, getNotionWebhookToken];
