/**
 * Shared pieces of the MCP tests: test-only actions (an admin-only one, one that reports progress, one
 * whose output carries a secret-looking field), an engine on a fresh database, and schema checks.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type AnyAction, defineAction } from "../../engine/actions/define.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import type { Db } from "../../engine/db/port.ts";
import type { Engine } from "../../engine/engine.ts";
import { type Backend, openTestEngine as openHarnessEngine, type TestEngine } from "../support/harness.ts";

export type { TestEngine };

export const adminEcho = defineAction({
  name: "mcp_test_admin_echo",
  title: "Admin echo (test)",
  description: "Test-only admin action: echoes its text.",
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  annotations: { readOnlyHint: true },
  scope: "admin",
  async run(_ctx, input) {
    return { text: input.text };
  },
});

export const countWithProgress = defineAction({
  name: "mcp_test_count",
  title: "Count with progress (test)",
  description: "Test-only action: counts to `to`, reporting progress at each step.",
  input: z.object({ to: z.number().int().min(1).max(20) }),
  output: z.object({ counted: z.number() }),
  annotations: { readOnlyHint: true },
  async run(ctx, input) {
    for (let step = 1; step <= input.to; step++) {
      await ctx.reportProgress?.({ progress: step, total: input.to, message: `step ${step}` });
    }
    return { counted: input.to };
  },
});

export const leaky = defineAction({
  name: "mcp_test_leaky",
  title: "Leaky (test)",
  description: "Test-only action whose output has secret-looking fields.",
  input: z.object({}),
  output: z.object({
    name: z.string(),
    apiToken: z.string(),
    nested: z.object({ credentials: z.object({ password: z.string(), port: z.number() }) }),
  }),
  annotations: { readOnlyHint: true },
  async run() {
    return {
      name: "visible",
      apiToken: "sk-live-123",
      nested: { credentials: { password: "hunter2", port: 5432 } },
    };
  },
});

export const testActions: AnyAction[] = [adminEcho, countWithProgress, leaky];

/** Adds the test actions a registry does not have yet (HTTP tests add them to a running server's registry). */
export function addTestActions(engine: Engine): void {
  for (const action of testActions) if (!engine.registry.get(action.name)) engine.registry.add(action);
}

/** An engine with the test-only actions, on the backend's database and queue. */
export function openTestEngine(
  backend: Backend,
  options: { env?: Record<string, string>; now?: () => Date } = {},
): Promise<TestEngine> {
  return openHarnessEngine({
    db: backend,
    jobs: backend === "postgres" ? "bullmq" : "in-process",
    ...options,
    extraActions: testActions,
  });
}

export async function personToken(
  db: Db,
  options: { workspace?: string; email?: string; admin?: boolean } = {},
) {
  return issueApiToken(db, {
    workspace: options.workspace ?? `ws-${randomUUID().slice(0, 8)}`,
    email: options.email ?? `${randomUUID().slice(0, 8)}@example.com`,
    admin: options.admin ?? false,
  });
}

/** The tool result's structuredContent, checked against the action's own zod output schema. */
export function structured<T = Record<string, unknown>>(engine: Engine, name: string, result: unknown): T {
  const call = result as CallToolResult; // Boundary: the SDK client returns a CallToolResult for tools/call.
  assert.notEqual(call.isError, true, `tool ${name} failed: ${JSON.stringify(call.content)}`);
  assert.ok(call.structuredContent, `tool ${name} returned no structuredContent`);
  const action = engine.registry.get(name);
  assert.ok(action, `no action ${name}`);
  const parsed = action.output.safeParse(call.structuredContent);
  assert.ok(
    parsed.success,
    `structuredContent of ${name} does not match its output schema: ${parsed.error?.message}`,
  );
  assert.ok(
    call.content.some((part) => part.type === "text" && part.text.length > 0),
    `tool ${name} has no text content`,
  );
  return call.structuredContent as T;
}

export interface ErrorMeta {
  code: string;
  status: number;
  retryAfterSeconds?: number;
}

/** The engine error carried by an isError tool result (`_meta["cairn/error"]`). */
export function errorMeta(result: unknown): ErrorMeta {
  const call = result as CallToolResult;
  assert.equal(call.isError, true, `expected an error result, got ${JSON.stringify(call.structuredContent)}`);
  const meta = call._meta?.["cairn/error"] as ErrorMeta | undefined;
  assert.ok(meta, "an error result carries _meta['cairn/error']");
  return meta;
}

export const errorCode = (result: unknown): string => errorMeta(result).code;

export const errorText = (result: unknown): string =>
  (result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
