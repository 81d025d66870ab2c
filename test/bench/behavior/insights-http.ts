/**
 * get_insights over HTTP for one person with a large history: seeds `--tasks` tasks (70 % finished over the
 * last 90 days with their start/completion events, a kept focus block for every third finished one, the rest
 * open, a third of those due in the next 60 days), then times `--calls` POST /api/actions/get_insights after
 * `--warmup` untimed ones. Side by side, call for call, it times the previous unbounded computation (every
 * finished task up to 5,000 read and fed to the models, no stored calibration) served over HTTP as a bench-only
 * action, `get_insights_unbounded`. PGlite always; PostgreSQL too when DATABASE_URL (and REDIS_URL) are set.
 *
 *   node --import tsx test/bench/behavior/insights-http.ts [--tasks 10000] [--calls 40] [--warmup 3]
 *     [--backend both|pglite|postgres]
 *
 * Progress on stderr, JSON on stdout.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { defineAction } from "../../../engine/actions/define.ts";
import { currentCalibration } from "../../../engine/behavior/calibration.ts";
import { InsightsWithBehavior, insightsFor, summarize } from "../../../engine/behavior/insights.ts";
import { insightsFromHistory } from "../../../engine/behavior/insights-from-history.ts";
import { HISTORY_DONE_TASKS, storedHistory } from "../../../engine/behavior/stored-history.ts";
import type { Db, Queryable } from "../../../engine/db/port.ts";
import { appendEvent } from "../../../engine/db/repositories/event-log.ts";
import { insertBlock } from "../../../engine/db/repositories/plans.ts";
import { insertTask, listTasksPage, updateTaskFields } from "../../../engine/db/repositories/tasks.ts";
import type { Person } from "../../../engine/domain.ts";
import { type Backend, startTestCairn } from "../../support/harness.ts";
import { postgresUrl, redisUrl } from "../../support/services.ts";
import { median, percentile, progress, seededRandom } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10000" },
    calls: { type: "string", default: "40" },
    warmup: { type: "string", default: "3" },
    seed: { type: "string", default: "2026" },
    backend: { type: "string", default: "both" },
  },
});
const taskCount = Number(values.tasks);
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const DAY = 86_400_000;
const CHUNK = 500;
const TAGS = ["reports", "bugs", "reviews", "planning", "email"];

/** get_insights as it was before the bounded read (commit 3c50745): every task group read whole, up to 5,000. */
async function unboundedInsights(db: Db, workspaceId: string, person: Person, at: Date) {
  const mine = { personId: person.id, includeSourceDeleted: false };
  const read = async (
    tx: Queryable,
    status: ("todo" | "in_progress" | "done")[],
    order: "due" | "created",
  ) => {
    const page = await listTasksPage(tx, { ...mine, status }, { order, limit: 5_000 });
    return { tasks: page.tasks, complete: page.nextCursor === null };
  };
  const { open, done, history } = await db.scoped(
    workspaceId,
    async (tx) => {
      const open = await read(tx, ["todo", "in_progress"], "due");
      const done = await read(tx, ["done"], "created");
      const history = await storedHistory(tx, workspaceId, person.id, [...open.tasks, ...done.tasks], at);
      return { open, done, history };
    },
    { snapshot: true },
  );
  const { now: _now, ...behavior } = insightsFromHistory(history);
  return InsightsWithBehavior.parse({ ...summarize(open, done, at, person.timezone), ...behavior });
}

const unboundedAction = defineAction({
  name: "get_insights_unbounded",
  title: "get_insights before the bounded read (bench only)",
  description: "The previous get_insights computation, for side-by-side timing.",
  input: z.object({}),
  output: InsightsWithBehavior,
  annotations: { readOnlyHint: true },
  async run(ctx) {
    return unboundedInsights(ctx.services.db, ctx.workspace.id, ctx.person, ctx.services.now());
  },
});

async function bench(backend: Backend) {
  const now = new Date("2026-03-20T08:00:00Z");
  const cairn = await startTestCairn({
    db: backend,
    jobs: backend === "postgres" ? "bullmq" : "in-process",
    now: () => now,
    startWorkers: false,
    extraActions: [unboundedAction],
  });
  try {
    const who = await cairn.token({ workspace: "insights-bench", email: "ada@bench.test" });
    const random = seededRandom(Number(values.seed));
    const db = cairn.engine.services.db;
    const seedStarted = performance.now();
    let events = 0;
    for (let from = 0; from < taskCount; from += CHUNK) {
      await db.scoped(who.workspace.id, async (tx) => {
        for (let i = from; i < Math.min(taskCount, from + CHUNK); i++) {
          const finished = i % 10 < 7;
          const estimate = 15 * (1 + Math.floor(random() * 12));
          const task = await insertTask(tx, who.workspace.id, {
            title: `Task ${i}`,
            parentId: null,
            description: "",
            status: finished ? "done" : "todo",
            priority: 1 + (i % 4),
            estimateMinutes: estimate,
            due:
              !finished && i % 3 === 0 ? new Date(now.getTime() + random() * 60 * DAY).toISOString() : null,
            earliestStart: null,
            dependsOn: [],
            tags: [TAGS[i % TAGS.length] as string],
            splittable: true,
            energy: "medium",
            personId: who.person.id,
            source: "cairn",
            externalId: null,
            connectionId: null,
            url: null,
            embedding: null,
          });
          if (!finished) continue;
          const started = now.getTime() - (1 + random() * 88) * DAY;
          const worked = estimate * (0.8 + random()) * 60_000;
          const completed = new Date(started + worked);
          await updateTaskFields(tx, task.id, { completedAt: completed.toISOString() });
          const base = { workspaceId: who.workspace.id, personId: who.person.id, taskId: task.id };
          await appendEvent(tx, { ...base, type: "task_started", occurredAt: new Date(started) });
          await appendEvent(tx, { ...base, type: "task_completed", occurredAt: completed });
          events += 2;
          if (i % 3 === 0) {
            await insertBlock(tx, who.workspace.id, who.person.id, 0, {
              taskId: task.id,
              start: new Date(started).toISOString(),
              end: completed.toISOString(),
              kind: "task",
              status: "done",
              explanation: { reason: "bench" },
            });
          }
        }
      });
      progress(`${backend}: seeded ${Math.min(taskCount, from + CHUNK)}/${taskCount} tasks`);
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // Before and after, call for call (alternating, so the machine's load falls on both alike).
    const times: number[] = [];
    const before: number[] = [];
    let answer: Record<string, unknown> = {};
    let previous: Record<string, unknown> = {};
    for (let k = 0; k < warmup + calls; k++) {
      for (const action of k % 2
        ? ["get_insights_unbounded", "get_insights"]
        : ["get_insights", "get_insights_unbounded"]) {
        const t0 = performance.now();
        const { status, body } = await cairn.call(who.token, action, {});
        const ms = performance.now() - t0;
        if (status !== 200) throw new Error(`${action} answered ${status}: ${JSON.stringify(body)}`);
        if (action === "get_insights") {
          if (k >= warmup) times.push(ms);
          answer = body as Record<string, unknown>;
        } else {
          if (k >= warmup) before.push(ms);
          previous = body as Record<string, unknown>;
        }
      }
      progress(`${backend}: call ${k + 1}/${warmup + calls}`);
    }
    // Where the time goes: the same answer in-process (no HTTP), and the models alone on the read history.
    const inProcess: number[] = [];
    const computeOnly: number[] = [];
    const recent = await db.scoped(who.workspace.id, async (tx) => [
      ...(
        await listTasksPage(
          tx,
          { personId: who.person.id, status: ["todo", "in_progress"] },
          { order: "due", limit: 5_000 },
        )
      ).tasks,
      ...(
        await listTasksPage(
          tx,
          { personId: who.person.id, status: ["done"] },
          { order: "created", limit: HISTORY_DONE_TASKS },
        )
      ).tasks,
    ]);
    const history = await db.scoped(who.workspace.id, (tx) =>
      storedHistory(tx, who.workspace.id, who.person.id, recent, now),
    );
    const calibration = await db.scoped(who.workspace.id, (tx) => currentCalibration(tx, who.person.id, now));
    for (let k = 0; k < Math.min(calls, 10); k++) {
      let t0 = performance.now();
      await insightsFor(db, who.workspace.id, who.person, now);
      inProcess.push(performance.now() - t0);
      t0 = performance.now();
      insightsFromHistory(history, { calibration });
      computeOnly.push(performance.now() - t0);
    }
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      backend,
      tasks: taskCount,
      events,
      seedSeconds: round(seedSeconds),
      calls,
      p50Ms: round(median(times)),
      p95Ms: round(percentile(times, 95)),
      maxMs: round(Math.max(...times)),
      beforeP50Ms: round(median(before)),
      beforeP95Ms: round(percentile(before, 95)),
      inProcessP50Ms: round(median(inProcess)),
      modelsOnlyP50Ms: round(median(computeOnly)),
      answer: {
        basis: answer.basis,
        open: answer.open,
        complete: answer.complete,
        history: answer.history,
        effortTasks: (answer.effort as { tasks: unknown[] } | undefined)?.tasks.length,
        effortMultiplier: (answer.effort as { multiplier: number } | undefined)?.multiplier,
      },
      before: {
        history: previous.history,
        effortMultiplier: (previous.effort as { multiplier: number } | undefined)?.multiplier,
        completedLast7Days: previous.completedLast7Days,
      },
      sameSummaryCounts: [
        "open",
        "completedThisWeek",
        "completedLast7Days",
        "createdLast7Days",
        "onTimeRateLast7Days",
      ].every((key) => JSON.stringify(answer[key]) === JSON.stringify(previous[key])),
    };
  } finally {
    await cairn.close();
  }
}

const results = [];
if (values.backend !== "postgres") results.push(await bench("pglite"));
if (values.backend === "pglite") progress("--backend pglite: PostgreSQL skipped");
else if (postgresUrl() && redisUrl()) results.push(await bench("postgres"));
else progress("DATABASE_URL/REDIS_URL not set: PostgreSQL skipped");
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
