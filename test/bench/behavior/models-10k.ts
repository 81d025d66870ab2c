/**
 * The behaviour models alone (each part on a shallow copy of the history, so no per-history cache is warm) on a large history shaped like the get_insights HTTP bench (one person,
 * `--tasks` tasks: 70 % finished over 90 days with start/completion events and a kept focus block for every
 * third, the rest open, a third of those due in the next 60 days, `--meetings` busy hours a working day):
 *   node --import tsx test/bench/behavior/models-10k.ts [--tasks 10000] [--reps 5] [--hash]
 * Prints median ms per part and in all as JSON; `--hash` also prints a digest of the full answer, so a
 * change can be checked to leave the output identical.
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { burnout } from "../../../engine/behavior/burnout.ts";
import { completion } from "../../../engine/behavior/completion.ts";
import { effort } from "../../../engine/behavior/effort.ts";
import { workIntervals } from "../../../engine/behavior/history.ts";
import { insightsFromHistory } from "../../../engine/behavior/insights-from-history.ts";
import type { HistoryEvent, HistoryTask, InsightsInput } from "../../../engine/behavior/insights-input.ts";
import { peakHours } from "../../../engine/behavior/peak-hours.ts";
import { procrastination } from "../../../engine/behavior/procrastination.ts";
import { score } from "../../../engine/behavior/score.ts";
import { median, progress, seededRandom } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10000" },
    reps: { type: "string", default: "5" },
    seed: { type: "string", default: "2026" },
    meetings: { type: "string", default: "2" },
    hash: { type: "boolean", default: false },
  },
});
const DAY = 86_400_000;
const TAGS = ["reports", "bugs", "reviews", "planning", "email"];

export function largeHistory(taskCount: number, seed: number, meetingsPerDay: number): InsightsInput {
  const now = Date.parse("2026-03-20T08:00:00Z");
  const random = seededRandom(seed);
  const tasks: HistoryTask[] = [];
  const events: HistoryEvent[] = [];
  for (let i = 0; i < taskCount; i++) {
    const finished = i % 10 < 7;
    const estimate = 15 * (1 + Math.floor(random() * 12));
    const due = !finished && i % 3 === 0 ? new Date(now + random() * 60 * DAY).toISOString() : null;
    const id = `t${i}`;
    let completedAt: string | null = null;
    const createdAt = new Date(now - 95 * DAY + i * 1000).toISOString();
    if (finished) {
      const started = now - (1 + random() * 88) * DAY;
      const completed = started + estimate * (0.8 + random()) * 60_000;
      completedAt = new Date(completed).toISOString();
      events.push({ type: "task_started", at: new Date(started).toISOString(), taskId: id });
      events.push({ type: "task_completed", at: completedAt, taskId: id });
      if (i % 3 === 0) {
        events.push({ type: "focus_started", at: new Date(started).toISOString(), taskId: id });
        events.push({ type: "focus_ended", at: completedAt, taskId: id });
      }
    }
    const title = `Task ${i}`;
    const tags = [TAGS[i % TAGS.length] as string];
    tasks.push({
      id,
      title,
      estimateMinutes: estimate,
      due,
      priority: 1 + (i % 4),
      tags,
      createdAt,
      completedAt,
      actualMinutes: null,
    });
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const busy: InsightsInput["busy"] = [];
  for (let d = -90; d < 60; d++) {
    for (let m = 0; m < meetingsPerDay; m++) {
      const start = Date.parse("2026-03-20T00:00:00Z") + d * DAY + (8 + Math.floor(random() * 8)) * 3_600_000;
      busy.push({ start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString() });
    }
  }
  const hours = [{ start: "09:00", end: "17:30" }];
  return {
    person: {
      timezone: "Europe/Berlin",
      workingHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] },
    },
    now: new Date(now).toISOString(),
    tasks,
    events,
    busy,
  };
}

const time = (reps: number, run: () => unknown): number => {
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return Math.round(median(samples) * 10) / 10;
};

const reps = Number(values.reps);
const fresh = () => largeHistory(Number(values.tasks), Number(values.seed), Number(values.meetings));
const input = fresh();
progress(`history: ${input.tasks.length} tasks, ${input.events.length} events, ${input.busy.length} busy`);
const work = workIntervals(input);
const eff = effort(input.tasks, work, true);
const parts = {
  workIntervals: time(reps, () => workIntervals(input)),
  effort: time(reps, () => effort(input.tasks, work, true)),
  completion: time(reps, () => completion({ ...input }, eff.tasks, true)),
  procrastination: time(reps, () => procrastination(input, true)),
  peakHours: time(reps, () =>
    peakHours(work, input.person.timezone, true, { workingHours: input.person.workingHours }),
  ),
  burnout: time(reps, () => burnout({ ...input }, work, true)),
  score: time(reps, () => score(input, work)),
  all: time(reps, () => insightsFromHistory({ ...input, events: [...input.events] })),
};
const out: Record<string, unknown> = { tasks: input.tasks.length, events: input.events.length, ms: parts };
if (values.hash)
  out.sha256 = createHash("sha256")
    .update(JSON.stringify(insightsFromHistory(fresh())))
    .digest("hex");
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
