/**
 * Safety benchmark: what strict inputs and the Idempotency-Key cost per call.
 * - the unknown-field check on its own (µs per input, create_task and a nested set_preferences);
 * - POST /api/actions/create_task over HTTP without a key, with a fresh key, and a replayed key (p50/p95 ms),
 *   on PGlite and on Postgres (DATABASE_URL).
 *
 *   node --import tsx test/bench/safety/run.ts [--calls 200] [--checks 20000]
 *
 * Progress lines go to stderr; one JSON document goes to stdout.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { everyAction } from "../../../bin/connectors.ts";
import { strictInputJsonSchema, unknownFieldIssues } from "../../../engine/actions/strict-input.ts";
import { type Backend, startTestCairn } from "../../support/harness.ts";
import { percentile, progress } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "200" },
    checks: { type: "string", default: "20000" },
    backends: { type: "string", default: process.env.DATABASE_URL ? "pglite,postgres" : "pglite" },
  },
});
const calls = Number(values.calls);
const checks = Number(values.checks);

function checkCost(actionName: string, input: unknown): number {
  const action = everyAction.find((a) => a.name === actionName);
  if (!action) throw new Error(`no action ${actionName}`);
  const schema = strictInputJsonSchema(action.input);
  for (let i = 0; i < 1000; i++) unknownFieldIssues(input, schema);
  const started = process.hrtime.bigint();
  for (let i = 0; i < checks; i++) unknownFieldIssues(input, schema);
  return Number(process.hrtime.bigint() - started) / 1000 / checks;
}

const summary = (ms: number[]) => ({
  p50: Number(percentile(ms, 50).toFixed(2)),
  p95: Number(percentile(ms, 95).toFixed(2)),
});

async function http(backend: Backend) {
  const cairn = await startTestCairn({
    db: backend,
    jobs: backend === "postgres" ? "bullmq" : "in-process",
    startWorkers: false,
  });
  try {
    const { token } = await cairn.token({ email: "bench@safety.test" });
    const post = async (title: string, key?: string) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
      };
      if (key) headers["idempotency-key"] = key;
      const started = performance.now();
      const response = await fetch(`${cairn.url}/api/actions/create_task`, {
        method: "POST",
        headers,
        body: JSON.stringify({ title, priority: 2, estimateMinutes: 30 }),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`create_task answered ${response.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 20; i++) await post(`warm-up ${i}`);
    const plain: number[] = [];
    const keyed: number[] = [];
    const replayed: number[] = [];
    const keys: string[] = [];
    for (let i = 0; i < calls; i++) {
      plain.push(await post(`plain ${i}`));
      const key = randomUUID();
      keys.push(key);
      keyed.push(await post(`keyed ${i}`, key));
    }
    for (let i = 0; i < calls; i++) replayed.push(await post(`keyed ${i}`, keys[i]));
    return { noKey: summary(plain), freshKey: summary(keyed), replayedKey: summary(replayed) };
  } finally {
    await cairn.close();
  }
}

const result: Record<string, unknown> = {
  calls,
  checkMicroseconds: {
    create_task: Number(
      checkCost("create_task", {
        title: "Draft",
        estimateMinutes: 30,
        tags: ["a", "b"],
        priority: 2,
      }).toFixed(2),
    ),
    set_preferences: Number(
      checkCost("set_preferences", {
        timezone: "Europe/Berlin",
        workingHours: {
          mon: [
            { start: "09:00", end: "12:00" },
            { start: "13:00", end: "17:00" },
          ],
        },
        peakHours: [[9, 12]],
      }).toFixed(2),
    ),
  },
};
progress(`unknown-field check: ${JSON.stringify(result.checkMicroseconds)} µs`);
for (const backend of values.backends.split(",") as Backend[]) {
  progress(`HTTP create_task on ${backend}, ${calls} calls each`);
  result[backend] = await http(backend);
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
