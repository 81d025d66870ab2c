/**
 * update_connection: changes an existing connection's settings (a task source's property map, the estimate
 * unit, a query...) and its sync interval without giving its credentials again. The stored credentials are read
 * back through the sync service and saved unchanged; the new settings go through the same validation as
 * connect_<kind> (the connector's settings schema and the URL guard).
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { getConnectionRecord } from "../db/repositories/connections.ts";
import { recordAudit } from "../db/repositories/event-log.ts";
import { CairnError, ErrorCode, invalidInput, notFound } from "../errors.ts";
import { displayedSourceUrl } from "../sync/secret-settings.ts";
import { getSyncService } from "../sync/service.ts";
import { ConnectionId } from "./connections.ts";
import { type AnyAction, defineAction } from "./define.ts";

const SettingKey = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, "a setting name such as propertyMap or estimateUnit");

export const UpdateConnectionInput = z.object({
  connection: ConnectionId,
  settings: z
    .record(SettingKey, z.unknown())
    .default({})
    .describe(
      "Settings to change, by name, laid over the stored ones (e.g. propertyMap, estimateUnit, jql: the names connect_<kind> documents). null removes a setting (estimateUnit: null goes back to detecting the unit).",
    ),
  syncEveryMinutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .optional()
    .describe("How often to sync in the background; 0 syncs only on demand and on webhooks"),
});

export const UpdateConnectionOutput = z.object({
  id: z.uuid(),
  kind: z.string(),
  name: z.string(),
  changed: z
    .array(z.string())
    .describe("The settings whose value changed (their mapping is discovered again)"),
  settings: z
    .record(z.string(), z.unknown())
    .describe("The stored settings after the change, secrets shown redacted"),
  sourceUrl: z.string().nullable(),
  syncEveryMinutes: z.number().int(),
});

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export const updateConnection = defineAction({
  name: "update_connection",
  title: "Change a connection's settings",
  description:
    "Changes the settings of an existing connection (a task source's property map and estimate unit, its query, a calendar's ids...) and how often it syncs, keeping its stored credentials: no token or password is asked again. The settings are checked like connect_<kind> checks them; changed settings make the next sync discover the field mapping again. Returns the connection's settings (secrets redacted) and what changed.",
  input: UpdateConnectionInput,
  output: UpdateConnectionOutput,
  scope: "admin",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(ctx, input) {
    const sync = getSyncService(ctx.services);
    const existing = await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
      getConnectionRecord(tx, input.connection),
    );
    if (!existing)
      throw notFound(`No connection ${input.connection} in this workspace. List them with list_connections.`);
    const { ctx: current } = await sync.contextFor(existing);
    const stored = record(current.settings);
    const visible = record(existing.settings);

    const merged: Record<string, unknown> = { ...stored };
    for (const [key, value] of Object.entries(input.settings)) {
      // A secret setting (an ICS feed URL...) is stored sealed and shown redacted: changing it means connecting again.
      if (key in visible && !isDeepStrictEqual(visible[key], stored[key]))
        throw invalidInput(
          `settings.${key} holds a secret; change it with connect_${existing.kind} and the same name.`,
          [{ path: `settings.${key}`, message: "a secret setting: connect again to change it" }],
        );
      if (value === null) delete merged[key];
      else merged[key] = value;
    }

    // The connector's schema drops names it does not know: parse the merged settings once, storing nothing.
    // Invalid values are left to connect below, which names each field.
    let known: Record<string, unknown> | undefined;
    try {
      known = record((await sync.contextFor({ ...existing, settings: merged })).ctx.settings);
    } catch (failure) {
      if (!(failure instanceof CairnError && failure.code === ErrorCode.InvalidInput)) throw failure;
    }
    const unknown = known
      ? Object.entries(input.settings)
          .filter(([key, value]) => value !== null && !(key in (known ?? {})))
          .map(([key]) => key)
      : [];
    if (known && unknown.length > 0)
      throw invalidInput(
        `${unknown.map((key) => `settings.${key}`).join(", ")}: not a ${existing.kind} setting. Known here: ${Object.keys(known).join(", ")}.`,
        unknown.map((key) => ({ path: `settings.${key}`, message: `not a ${existing.kind} setting` })),
      );

    const { connection } = await sync.connect({
      workspaceId: ctx.workspace.id,
      personId: existing.personId ?? ctx.person.id,
      kind: existing.kind,
      seed: { name: existing.name, credentials: current.credentials, settings: merged },
      syncIntervalMinutes: input.syncEveryMinutes ?? existing.syncIntervalMinutes,
    });
    const after = record(connection.settings);
    const changed = [...new Set([...Object.keys(visible), ...Object.keys(after)])]
      .filter((key) => !isDeepStrictEqual(visible[key], after[key]))
      .sort();
    await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
      recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "update_connection",
        target: connection.id,
        details: {
          name: connection.name,
          changed,
          ...(input.syncEveryMinutes !== undefined ? { syncEveryMinutes: input.syncEveryMinutes } : {}),
        },
      }),
    );
    return {
      id: connection.id,
      kind: connection.kind,
      name: connection.name,
      changed,
      settings: after,
      sourceUrl: displayedSourceUrl(connection.settings),
      syncEveryMinutes: connection.syncIntervalMinutes,
    };
  },
});

export const connectionUpdateActions: AnyAction[] = [updateConnection];
