/**
 * Procrastination index (0..1), a weighted sum of three transparent factors:
 * - start delay: how far into the time between creation and due the first start came (0 = at once, 1 = at
 *   the due time), averaged over tasks with a due date that were started (or are still unstarted and open);
 * - deferrals: task_deferred events per task, mapped to 0..1 by 1 - exp(-x);
 * - last-minute completions: the share of completions with a due date that came in the final 15 % of the
 *   window or the last 24 hours.
 * Each factor is shrunk toward the population value with a few pseudo-tasks.
 */
import { clamp, DAY, round, sortedEvents } from "./history.ts";
import type { InsightsInput } from "./insights-input.ts";

export interface Factor {
  name: string;
  value: number;
  effect: number;
  description: string;
}

export interface Procrastination {
  index: number;
  factors: Factor[];
}

const WEIGHTS = { startDelay: 0.45, deferrals: 0.25, lastMinute: 0.3 };
const POPULATION = { startDelay: 0.4, deferralsPerTask: 0.3, lastMinute: 0.3 };
const PRIOR_TASKS = 3;

const shrink = (sum: number, n: number, prior: number) => (sum + PRIOR_TASKS * prior) / (n + PRIOR_TASKS);

export function procrastination(input: InsightsInput, personal: boolean): Procrastination {
  const now = Date.parse(input.now);
  const firstStart = new Map<string, number>();
  const deferrals = new Map<string, number>();
  for (const e of sortedEvents(input)) {
    if (!e.taskId || e.t > now) continue;
    if ((e.type === "task_started" || e.type === "focus_started") && !firstStart.has(e.taskId))
      firstStart.set(e.taskId, e.t);
    if (e.type === "task_deferred") deferrals.set(e.taskId, (deferrals.get(e.taskId) ?? 0) + 1);
  }
  const tasks = personal ? input.tasks.filter((t) => Date.parse(t.createdAt) <= now) : [];
  let delaySum = 0;
  let delayN = 0;
  let lastSum = 0;
  let lastN = 0;
  for (const t of tasks) {
    if (!t.due) continue;
    const created = Date.parse(t.createdAt);
    const due = Date.parse(t.due);
    const window = Math.max(due - created, 60_000);
    const start = firstStart.get(t.id);
    if (start !== undefined) {
      delaySum += clamp((start - created) / window, 0, 1.5);
      delayN++;
    } else if (!t.completedAt && now > created) {
      // Not started yet: at least this late, counted only once the window is mostly gone.
      const elapsed = (now - created) / window;
      if (elapsed > 0.5) {
        delaySum += clamp(elapsed, 0, 1.5);
        delayN++;
      }
    }
    if (t.completedAt) {
      const done = Date.parse(t.completedAt);
      lastN++;
      if (done >= due - Math.min(0.15 * window, DAY) && done <= due + DAY) lastSum++;
      else if (done > due) lastSum += 0.5;
    }
  }
  const deferTotal = [...deferrals.values()].reduce((a, b) => a + b, 0);
  const startDelay = shrink(delaySum, delayN, POPULATION.startDelay);
  const deferralsPerTask = shrink(personal ? deferTotal : 0, tasks.length, POPULATION.deferralsPerTask);
  const lastMinute = shrink(lastSum, lastN, POPULATION.lastMinute);
  const factors: Factor[] = [
    {
      name: "start delay",
      value: round(startDelay),
      effect: round(WEIGHTS.startDelay * clamp(startDelay, 0, 1)),
      description:
        "share of the time between a task's creation and its due time that passed before work began",
    },
    {
      name: "deferrals",
      value: round(deferralsPerTask),
      effect: round(WEIGHTS.deferrals * (1 - Math.exp(-deferralsPerTask))),
      description: "times a task's due date or plan was pushed later, per task",
    },
    {
      name: "last-minute completions",
      value: round(lastMinute),
      effect: round(WEIGHTS.lastMinute * clamp(lastMinute, 0, 1)),
      description: "share of tasks with a due date finished in the last stretch before it (or late)",
    },
  ];
  return {
    index: round(
      clamp(
        factors.reduce((s, f) => s + f.effect, 0),
        0,
        1,
      ),
    ),
    factors,
  };
}
