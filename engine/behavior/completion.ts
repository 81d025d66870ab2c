/**
 * Completion likelihood for open tasks with a due date. The work still needed (predicted minus already
 * worked, plus every open task due no later, earliest deadline first) is compared with the free working
 * minutes until the due time (working hours minus busy time, in the person's zone); the log of that slack
 * ratio goes through a logistic, shifted by the person's on-time record (shrunk toward the population's).
 */
import type { EffortTask } from "./effort.ts";
import { busyIntervals, clamp, freeWorkingMinutes, logistic, round } from "./history.ts";
import type { InsightsInput } from "./insights-input.ts";

const SLOPE = 2.2;
/** At a ratio of 1 (just enough time) a task is somewhat less likely done than not: plans slip. */
const INTERCEPT = -0.3;
export const POPULATION_ON_TIME = 0.7;
const PRIOR_TASKS = 4;
const HISTORY_WEIGHT = 0.5;

export interface Completion {
  taskId: string;
  probability: number;
  due: string;
  remainingMinutes: number;
  demandMinutes: number;
  freeMinutes: number;
  slackRatio: number;
}

const logit = (p: number) => Math.log(p / (1 - p));

export function onTimeRate(input: InsightsInput, personal: boolean): { rate: number; n: number } {
  const done = personal ? input.tasks.filter((t) => t.completedAt && t.due) : [];
  const onTime = done.filter((t) => Date.parse(t.completedAt ?? "") <= Date.parse(t.due ?? "")).length;
  return { rate: (onTime + PRIOR_TASKS * POPULATION_ON_TIME) / (done.length + PRIOR_TASKS), n: done.length };
}

export function completion(input: InsightsInput, effortTasks: EffortTask[], personal: boolean): Completion[] {
  const now = Date.parse(input.now);
  const busy = busyIntervals(input);
  const history = onTimeRate(input, personal);
  // Half the log-odds gap: a good record helps, but cannot make missing time appear.
  const shift = HISTORY_WEIGHT * (logit(clamp(history.rate, 0.05, 0.95)) - logit(POPULATION_ON_TIME));
  const effortById = new Map(effortTasks.map((e) => [e.taskId, e]));
  const open = input.tasks
    .filter((t) => !t.completedAt && t.due)
    .map((t) => {
      const e = effortById.get(t.id);
      const predicted = e?.predictedMinutes ?? 60;
      const remaining = Math.max(0.1 * predicted, predicted - (e?.spentMinutes ?? 0));
      return { id: t.id, due: t.due ?? "", dueAt: Date.parse(t.due ?? ""), remaining };
    })
    .sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
  let demand = 0;
  const out: Completion[] = [];
  for (const t of open) {
    demand += t.remaining;
    const free = t.dueAt > now ? freeWorkingMinutes(input, now, t.dueAt, busy) : 0;
    const ratio = (free + 1) / (demand + 1);
    const p =
      t.dueAt <= now ? 0.01 : clamp(logistic(INTERCEPT + SLOPE * Math.log(ratio) + shift), 0.01, 0.99);
    out.push({
      taskId: t.id,
      probability: round(p),
      due: t.due,
      remainingMinutes: Math.round(t.remaining),
      demandMinutes: Math.round(demand),
      freeMinutes: Math.round(free),
      slackRatio: round(ratio),
    });
  }
  const order = new Map(input.tasks.map((t, i) => [t.id, i]));
  return out.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
}
