/**
 * A keyed request (HTTP Idempotency-Key, MCP `cairn/idempotency-key`) keeps its answer so a retry gets it instead
 * of running the action again. The face writes that answer after the action returns, in a transaction of its
 * own; a process killed between the action's commit and that write leaves the effect done and the claim still
 * running, and once the claim goes stale a retry runs the action again (a task created twice).
 *
 * Actions whose effect a second run would repeat close that gap: the last statement of their write transaction
 * is `keepAnswerInTransaction`, which hands the output to the face that holds the key, and the face writes its
 * answer in that same transaction. Commit and kept answer then land together or not at all.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Queryable } from "../db/port.ts";

export interface AnswerKeeper {
  /** The action the key was claimed for: an action it calls in turn keeps nothing. */
  action: string;
  keep(tx: Queryable, output: unknown): Promise<void>;
}

const keepers = new AsyncLocalStorage<{ keeper: AnswerKeeper; kept: boolean }>();

/** Runs a keyed request's action with `keeper` available to its write transaction. */
export function runKeepingAnswer<T>(keeper: AnswerKeeper, run: () => T): T {
  return keepers.run({ keeper, kept: false }, run);
}

/** Writes the answer the face will give for `output` in `tx`, when `action` runs under a key (else nothing). */
export async function keepAnswerInTransaction(action: string, tx: Queryable, output: unknown): Promise<void> {
  const current = keepers.getStore();
  if (!current || current.kept || current.keeper.action !== action) return;
  await current.keeper.keep(tx, output);
  current.kept = true;
}
