/**
 * `npm run bench -- console --people N [--tasks M] [--runs R]`: the Insights page's workspace aggregate
 * (GET /admin/api/insights/workspace) for a workspace of N people, each with a seeded history of M tasks
 * (test/bench/console-pages/seed.ts, seeds 2026 + i, so two builds measured side by side get the same rows),
 * on embedded defaults. Measures the first view (no stored figures yet), one run of the insights snapshot job
 * when the build has one, then R views. Prints JSON on stdout.
 */
import { performance } from "node:perf_hooks";
import { createOrResetOwner } from "../../../admin/auth/owners.ts";
import { issueApiToken } from "../../../engine/auth/api-tokens.ts";
import { ConsoleClient } from "../../support/console-client.ts";
import { startTestCairn } from "../../support/harness.ts";
import { seedHistory } from "../console-pages/seed.ts";
import { median, percentile } from "../support/stats.ts";

const ms = (value: number) => Number(value.toFixed(1));

export async function benchAggregate(options: { people: number; tasks: number; runs: number }) {
  const { people, tasks, runs } = options;
  const cairn = await startTestCairn({ startWorkers: false });
  try {
    const { db } = cairn.engine.services;
    const owner = await createOrResetOwner(db, {
      workspace: "bench",
      email: "owner@example.com",
      password: "bench password 1",
    });
    const ids = [owner.person.id];
    for (let i = 1; i < people; i++) {
      ids.push((await issueApiToken(db, { workspace: "bench", email: `person-${i}@example.com` })).person.id);
    }
    const seeding = performance.now();
    if (tasks > 0) {
      for (const [i, id] of ids.entries()) {
        await seedHistory(db, id, tasks, 2026 + i);
        if ((i + 1) % 25 === 0) process.stderr.write(`seeded ${i + 1}/${people} people\n`);
      }
    }
    process.stderr.write(`seeding: ${Math.round(performance.now() - seeding)} ms\n`);
    const browser = new ConsoleClient(cairn.url);
    await browser.signIn("owner@example.com", "bench password 1");
    const view = async () => {
      const started = performance.now();
      const answer = await browser.request<{ people: number; freshness?: unknown }>(
        "GET",
        "/admin/api/insights/workspace",
      );
      if (answer.status !== 200) throw new Error(`aggregate answered ${answer.status}`);
      return { ms: performance.now() - started, body: answer.body };
    };
    const first = await view();
    // Builds before the stored figures have no snapshot job: their every view computes everyone.
    const snapshots = await import("../../../engine/behavior/insights-snapshots.ts").catch(() => undefined);
    let snapshotJobMs: number | null = null;
    if (snapshots) {
      const started = performance.now();
      await snapshots.refreshStaleSnapshots(cairn.engine.services);
      snapshotJobMs = ms(performance.now() - started);
    }
    const samples: number[] = [];
    let last: unknown;
    for (let i = 0; i < runs; i++) {
      const answer = await view();
      samples.push(answer.ms);
      last = answer.body.freshness;
    }
    return {
      build: snapshots ? "stored figures" : "live get_insights per person",
      backend: "PGlite + in-process",
      people,
      tasksPerPerson: tasks,
      runs,
      firstViewMs: ms(first.ms),
      snapshotJobMs,
      viewMs: { median: ms(median(samples)), p95: ms(percentile(samples, 95)) },
      ...(last !== undefined && { freshness: last }),
    };
  } finally {
    await cairn.close();
  }
}
