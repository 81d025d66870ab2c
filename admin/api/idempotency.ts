/**
 * The Idempotency-Key header on POST /api/actions/:name. The first request with a key runs; its answer
 * (status and body, 2xx or 4xx) is kept for 24 hours per token, and a retry with the same key and the same
 * request gets that answer again with `Idempotent-Replayed: true`, changing nothing. The same key with another
 * action or body is refused with 422. While the first request is still running, a duplicate gets 409 with
 * Retry-After (the client retries and then gets the stored answer). A 5xx answer is not kept: retrying runs
 * the action again (so are answers that ask for a retry: 408, 409, 429). Works across processes: the claim is a row in the shared database.
 */
import { createHash } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { runKeepingAnswer } from "../../engine/actions/answer-in-transaction.ts";
import type { Queryable } from "../../engine/db/port.ts";
import {
  CLAIM_STALE_MS,
  claimIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  type IdempotencyScope,
  keepClaimAlive,
  releaseIdempotencyKey,
  storeIdempotentResponse,
} from "../../engine/db/repositories/idempotency.ts";
import { whenReachable } from "../../engine/db/when-reachable.ts";
import type { Engine } from "../../engine/engine.ts";
import { CairnError, ErrorCode, invalidInput } from "../../engine/errors.ts";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
/** How long an answer is kept for retries. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A key still `running` and not renewed for this long belonged to a process that died: a retry takes it over. */
export const STALE_RUNNING_MS = CLAIM_STALE_MS;
/** Expired keys are swept once every this many claims (and on the first) in each process. */
const SWEEP_EVERY = 200;

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export interface IdempotencyCaller {
  workspace: { id: string };
  /** The token (or other principal) the request authenticated as. */
  principal: string;
}

export interface IdempotencyOptions {
  engine: Engine;
  /** Who sent the request (set by the authentication middleware that runs first). */
  callerOf(req: Request): IdempotencyCaller | undefined;
}

/** JSON with object keys sorted, so the same body sent with other key order or spacing hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function requestHash(action: string, body: unknown): string {
  return createHash("sha256")
    .update(`${action}\n${canonicalJson(body ?? {})}`)
    .digest("hex");
}

function validKey(raw: string): string {
  if (!KEY_PATTERN.test(raw)) {
    throw invalidInput(
      `The ${IDEMPOTENCY_HEADER} header must be 1 to 255 printable ASCII characters (a UUID is a good choice).`,
      [{ path: IDEMPOTENCY_HEADER, message: "send 1 to 255 printable ASCII characters, e.g. a UUID" }],
    );
  }
  return raw;
}

function sendMismatch(res: Response): void {
  res.status(422).json({
    error: {
      code: "idempotency_key_reused",
      message: `This ${IDEMPOTENCY_HEADER} was already used for a different request (another action or body); send a new key for a new request, or resend the original body to get its answer.`,
      issues: [{ path: IDEMPOTENCY_HEADER, message: "already used with a different request; use a new key" }],
    },
  });
}

/** Answers that ask the client to retry (429, a busy embedded database's 409) and 5xx are not kept. */
const keeps = (status: number) => status < 500 && status !== 408 && status !== 409 && status !== 429;

export function idempotentActions(options: IdempotencyOptions): RequestHandler {
  const { engine } = options;
  const { db, secrets, log } = engine.services;
  let claims = 0;

  const sweep = (now: Date) =>
    db
      .system((tx) => deleteExpiredIdempotencyKeys(tx, now))
      .catch((error) => log.warn({ err: error }, "could not sweep expired idempotency keys"));

  return async (req: Request, res: Response, next: NextFunction) => {
    const raw = req.get(IDEMPOTENCY_HEADER);
    if (raw === undefined) {
      next();
      return;
    }
    const key = validKey(raw);
    const caller = options.callerOf(req);
    if (!caller) throw new CairnError(ErrorCode.Internal, "Idempotency needs an authenticated caller.");
    // Prefixed: MCP keeps its `_meta` keys in the same table under "mcp:".
    const scope: IdempotencyScope = {
      workspaceId: caller.workspace.id,
      principal: caller.principal,
      key: `http:${key}`,
    };
    const action = String(req.params.name);
    const hash = requestHash(action, req.body);
    const now = engine.services.now();
    if (claims++ % SWEEP_EVERY === 0) await sweep(now);

    const claim = await db.scoped(scope.workspaceId, (tx) =>
      claimIdempotencyKey(
        tx,
        scope,
        { action, requestHash: hash },
        {
          now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
          staleBefore: new Date(now.getTime() - STALE_RUNNING_MS),
        },
      ),
    );
    if (claim.kind !== "claimed" && claim.requestHash !== hash) {
      sendMismatch(res);
      return;
    }
    if (claim.kind === "running") {
      throw new CairnError(
        ErrorCode.Conflict,
        `A request with this ${IDEMPOTENCY_HEADER} is still running; retry in a moment to get its answer.`,
        { retryAfterSeconds: 1 },
      );
    }
    if (claim.kind === "done") {
      res.setHeader(REPLAYED_HEADER, "true");
      res.status(claim.response.status).json(JSON.parse(secrets.open(claim.response.sealedBody)));
      return;
    }

    // This request holds the key: its answer is kept (2xx, 4xx) or the key released (5xx) before it is sent.
    const stopRenewing = keepClaimAlive(db, scope, () => engine.services.now());
    res.once("close", stopRenewing);
    const send = res.json.bind(res);
    let answered = false;
    res.json = ((body: unknown) => {
      if (answered) return send(body);
      answered = true;
      const status = res.statusCode;
      const sealedBody = keeps(status) ? secrets.seal(JSON.stringify(body)) : undefined;
      const settle = () =>
        db.scoped(scope.workspaceId, (tx) =>
          sealedBody !== undefined
            ? storeIdempotentResponse(tx, scope, { status, sealedBody })
            : releaseIdempotencyKey(tx, scope),
        );
      settle()
        .catch((error) => {
          log.error({ err: error }, "could not keep the answer for an Idempotency-Key");
          // The database is likely restarting: keep trying in the background (the same answer kept, or the
          // claim released), so the client's retry gets it in seconds instead of 409 until the claim goes stale.
          void whenReachable(settle).catch(() => {});
        })
        .finally(() => {
          stopRenewing();
          send(body);
        });
      return res;
    }) as Response["json"];
    // An action that would repeat its effect on a second run keeps this answer in its own write transaction
    // (the route answers 200 with the checked output as JSON), so a kill after its commit cannot cause a rerun.
    const keeper = {
      action,
      keep: (tx: Queryable, output: unknown) => {
        const checked = engine.registry.get(action)?.output.parse(output) ?? output;
        return storeIdempotentResponse(tx, scope, {
          status: 200,
          sealedBody: secrets.seal(JSON.stringify(checked)),
        });
      },
    };
    runKeepingAnswer(keeper, next);
  };
}
