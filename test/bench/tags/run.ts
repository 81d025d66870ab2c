/**
 * Smart tags benchmark: precision and recall of suggest_tags on a held-back part of a seeded, labelled task
 * set, at the default threshold (CAIRN_TAG_SUGGESTION_THRESHOLD, 0.6) and a few others.
 *
 *   npm run bench -- tags [--tasks 1000] [--holdout 0.2] [--seed 15]
 *
 * The first part of the set is stored through create_task (with its tags); each held-back task is then
 * suggested tags from its title alone, as create_task would without tags. Micro-averaged over tag decisions:
 * precision = right suggestions / suggestions, recall = right suggestions / the held-back tasks' tags.
 * Progress lines go to stderr; a Markdown table and one JSON document go to stdout.
 */
import { parseArgs } from "node:util";
import { issueApiToken } from "../../../engine/auth/api-tokens.ts";
import { suggestTags } from "../../../engine/tags/suggest.ts";
import { openTestEngine } from "../../support/harness.ts";
import { percentile, progress } from "../support/stats.ts";
import { generateLabelledTasks } from "./generator.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "1000" },
    holdout: { type: "string", default: "0.2" },
    seed: { type: "string", default: "15" },
  },
});
const total = Number(values.tasks);
const holdout = Number(values.holdout);
const seed = Number(values.seed);
const thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
const DEFAULT_THRESHOLD = 0.6;

const tasks = generateLabelledTasks(seed, total);
const trainCount = Math.round(total * (1 - holdout));
const train = tasks.slice(0, trainCount);
const test = tasks.slice(trainCount);

const t = await openTestEngine({ db: "pglite" });
try {
  await issueApiToken(t.db, { workspace: "tags-bench", email: "bench@example.com", admin: false });
  const actor = await t.engine.actorFor("tags-bench", "bench@example.com");
  progress(`storing ${train.length} labelled tasks`);
  for (const task of train)
    await t.engine.call(actor, "job", "create_task", { title: task.title, tags: task.tags });

  progress(`suggesting tags for ${test.length} held-back tasks`);
  const counts = new Map(
    thresholds.map((threshold) => [threshold, { suggested: 0, right: 0, tasksTagged: 0 }]),
  );
  const millis: number[] = [];
  let trueTags = 0;
  for (const task of test) {
    const started = performance.now();
    const suggestions = await t.db.scoped(actor.workspace.id, (tx) =>
      suggestTags(tx, t.engine.services.embedder, { title: task.title, minConfidence: 0, limit: 20 }),
    );
    millis.push(performance.now() - started);
    trueTags += task.tags.length;
    for (const threshold of thresholds) {
      const applied = suggestions.filter((s) => s.confidence >= threshold).map((s) => s.tag);
      const count = counts.get(threshold) as { suggested: number; right: number; tasksTagged: number };
      count.suggested += applied.length;
      count.right += applied.filter((tag) => task.tags.includes(tag)).length;
      if (applied.length > 0) count.tasksTagged++;
    }
  }

  const rows = thresholds.map((threshold) => {
    const count = counts.get(threshold) as { suggested: number; right: number; tasksTagged: number };
    return {
      threshold,
      precision: Number((count.right / Math.max(1, count.suggested)).toFixed(3)),
      recall: Number((count.right / Math.max(1, trueTags)).toFixed(3)),
      tasksTagged: Number((count.tasksTagged / test.length).toFixed(3)),
    };
  });
  const lines = [
    `Seed ${seed}: ${train.length} stored tasks, ${test.length} held back (${trueTags} true tags), PGlite.`,
    "",
    "| threshold | precision | recall | held-back tasks given ≥ 1 tag |",
    "|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.threshold.toFixed(1)}${row.threshold === DEFAULT_THRESHOLD ? " (default)" : ""} | ${row.precision.toFixed(3)} | ${row.recall.toFixed(3)} | ${(row.tasksTagged * 100).toFixed(1)} % |`,
    ),
    "",
    `suggest_tags p50 ${percentile(millis, 50).toFixed(1)} ms, p95 ${percentile(millis, 95).toFixed(1)} ms (in-memory PGlite, ${train.length} tasks).`,
  ];
  process.stdout.write(`${lines.join("\n")}\n\n`);
  process.stdout.write(
    `${JSON.stringify({ seed, stored: train.length, heldBack: test.length, trueTags, rows, p50Ms: percentile(millis, 50), p95Ms: percentile(millis, 95) }, null, 2)}\n`,
  );
} finally {
  await t.close();
}
