/**
 * A tool call acts once when it is delivered again:
 * - the same JSON-RPC id on the same session (a transport resending a request) gets the first call's result,
 *   even while that call is still running; the same id with other arguments is refused;
 * - a call carrying `_meta["cairn/idempotency-key"]` is kept for 24 hours per token, across sessions and
 *   processes (the same table as the HTTP Idempotency-Key): a retry gets the first result.
 */
import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { runKeepingAnswer } from "../engine/actions/answer-in-transaction.ts";
import {
  CLAIM_STALE_MS,
  claimIdempotencyKey,
  type IdempotencyScope,
  keepClaimAlive,
  releaseIdempotencyKey,
  storeIdempotentResponse,
} from "../engine/db/repositories/idempotency.ts";
import { whenReachable } from "../engine/db/when-reachable.ts";
import type { Engine } from "../engine/engine.ts";
import { CairnError, ErrorCode, invalidInput } from "../engine/errors.ts";

export const IDEMPOTENCY_META_KEY = "cairn/idempotency-key";
const TTL_MS = 24 * 60 * 60 * 1000;
const STALE_RUNNING_MS = CLAIM_STALE_MS;
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** Error codes that ask for a retry: such results are not kept. */
const RETRYABLE = new Set<string>([
  ErrorCode.Internal,
  ErrorCode.Unavailable,
  ErrorCode.RateLimited,
  ErrorCode.EmbeddedDbBusy,
  ErrorCode.Conflict,
]);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

export const callHash = (name: string, args: unknown): string =>
  createHash("sha256")
    .update(`${name}\n${canonical(args ?? {})}`)
    .digest("hex");

const errorCodeOf = (result: CallToolResult): string | undefined =>
  result.isError ? (result._meta?.["cairn/error"] as { code?: string } | undefined)?.code : undefined;

const keeps = (result: CallToolResult) => {
  const code = errorCodeOf(result);
  return code === undefined || !RETRYABLE.has(code);
};

/** Tool calls of one session by JSON-RPC id (the most recent `limit` of them). */
export class SessionCalls {
  readonly #calls = new Map<string, { hash: string; result: Promise<CallToolResult> }>();
  constructor(private readonly limit = 1000) {}

  /** Runs `work` once per request id; a redelivered id gets the same (possibly still pending) result. */
  once(
    id: string | number,
    hash: string,
    work: () => Promise<CallToolResult>,
  ): Promise<CallToolResult> | CairnError {
    const key = `${typeof id}:${id}`;
    const seen = this.#calls.get(key);
    if (seen) {
      if (seen.hash !== hash)
        return invalidInput(
          `The JSON-RPC id ${JSON.stringify(id)} was already used in this session for another call; send each new request with a new id.`,
          [{ path: "id", message: "already used in this session for another call" }],
        );
      return seen.result;
    }
    const result = work();
    this.#calls.set(key, { hash, result });
    if (this.#calls.size > this.limit) {
      const oldest = this.#calls.keys().next().value;
      if (oldest !== undefined) this.#calls.delete(oldest);
    }
    return result;
  }
}

/** The client's idempotency key from `_meta`, validated; undefined when none was sent. */
export function metaIdempotencyKey(meta: Record<string, unknown> | undefined): string | undefined {
  const raw = meta?.[IDEMPOTENCY_META_KEY];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !KEY_PATTERN.test(raw))
    throw invalidInput(
      `_meta["${IDEMPOTENCY_META_KEY}"] must be a string of 1 to 255 printable ASCII characters (a UUID is a good choice).`,
      [{ path: `_meta.${IDEMPOTENCY_META_KEY}`, message: "send 1 to 255 printable ASCII characters" }],
    );
  return raw;
}

/** Runs a tool call under a client idempotency key, kept in the database per token for 24 hours. */
export async function keyedCall(
  engine: Engine,
  scope: IdempotencyScope,
  request: { name: string; hash: string },
  work: () => Promise<CallToolResult>,
  /** The result the call gives for an action output: kept inside the action's own write transaction when it asks. */
  resultFor?: (output: unknown) => CallToolResult,
): Promise<CallToolResult | CairnError> {
  const { db, secrets } = engine.services;
  const now = engine.services.now();
  const stored: IdempotencyScope = { ...scope, key: `mcp:${scope.key}` };
  const claim = await db.scoped(scope.workspaceId, (tx) =>
    claimIdempotencyKey(
      tx,
      stored,
      { action: request.name, requestHash: request.hash },
      {
        now,
        expiresAt: new Date(now.getTime() + TTL_MS),
        staleBefore: new Date(now.getTime() - STALE_RUNNING_MS),
      },
    ),
  );
  if (claim.kind !== "claimed" && claim.requestHash !== request.hash)
    return invalidInput(
      `This _meta["${IDEMPOTENCY_META_KEY}"] was already used for a different call (another tool or arguments); send a new key for a new call.`,
      [{ path: `_meta.${IDEMPOTENCY_META_KEY}`, message: "already used for a different call" }],
    );
  if (claim.kind === "running")
    return new CairnError(
      ErrorCode.Conflict,
      `A call with this _meta["${IDEMPOTENCY_META_KEY}"] is still running; retry in a moment to get its result.`,
      { retryAfterSeconds: 1 },
    );
  if (claim.kind === "done") return JSON.parse(secrets.open(claim.response.sealedBody)) as CallToolResult;
  let result: CallToolResult;
  const stopRenewing = keepClaimAlive(db, stored, () => engine.services.now());
  const release = () => db.scoped(scope.workspaceId, (tx) => releaseIdempotencyKey(tx, stored));
  try {
    result = resultFor
      ? await runKeepingAnswer(
          {
            action: request.name,
            keep: (tx, output) =>
              storeIdempotentResponse(tx, stored, {
                status: 200,
                sealedBody: secrets.seal(JSON.stringify(resultFor(output))),
              }),
          },
          work,
        )
      : await work();
  } catch (error) {
    await settleSoon(engine, release);
    throw error;
  } finally {
    stopRenewing();
  }
  const kept = result;
  await settleSoon(engine, () =>
    keeps(kept)
      ? db.scoped(scope.workspaceId, (tx) =>
          storeIdempotentResponse(tx, stored, {
            status: kept.isError ? 400 : 200,
            sealedBody: secrets.seal(JSON.stringify(kept)),
          }),
        )
      : release(),
  );
  return result;
}

/**
 * Stores the answer or releases the claim; when the database is unreachable (restarting), answers the caller
 * anyway and keeps trying in the background (as the HTTP Idempotency-Key does), so a retry gets the kept answer
 * or runs again within seconds instead of a conflict until the claim goes stale, and a call that did its work
 * is never reported as failed because its answer could not be kept yet.
 */
async function settleSoon(engine: Engine, settle: () => Promise<void>): Promise<void> {
  try {
    await settle();
  } catch (error) {
    engine.services.log.error({ err: error }, "could not keep the answer for an MCP idempotency key");
    void whenReachable(settle).catch(() => {});
  }
}
