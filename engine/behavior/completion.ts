/**
 * Completion likelihood for open tasks with a due date: a logistic model (trained on simulated people,
 * models/trained/completion.json; exported to ONNX too, served here in TypeScript, measured faster) on:
 * the slack ratio (free working minutes until the due time against the calibrated work still needed by it,
 * earliest deadline first), free hours, the task's remaining hours, the person's on-time record (shrunk toward
 * the population's), the procrastination index, whether work has started, and days to the due time.
 */
import type { EffortTask } from "./effort.ts";
import { busyIntervals, clamp, DAY, freeWorkingMinutes, logistic, round } from "./history.ts";
import type { InsightsInput } from "./insights-input.ts";
import { type CompletionModel, trainedModels } from "./trained-models.ts";

export const POPULATION_ON_TIME = 0.7;
const PRIOR_TASKS = 4;

export interface Completion {
  taskId: string;
  probability: number;
  due: string;
  remainingMinutes: number;
  demandMinutes: number;
  freeMinutes: number;
  slackRatio: number;
}

export interface CompletionRow extends Omit<Completion, "probability"> {
  dueAt: number;
  /** The model's inputs, in COMPLETION_FEATURES order; empty when the due time has passed. */
  features: number[];
}

const logit = (p: number) => Math.log(p / (1 - p));

export function onTimeRate(input: InsightsInput, personal: boolean): { rate: number; n: number } {
  const done = personal ? input.tasks.filter((t) => t.completedAt && t.due) : [];
  const onTime = done.filter((t) => Date.parse(t.completedAt ?? "") <= Date.parse(t.due ?? "")).length;
  return { rate: (onTime + PRIOR_TASKS * POPULATION_ON_TIME) / (done.length + PRIOR_TASKS), n: done.length };
}

/** The model's inputs for each open task with a due date (in the order of input.tasks). */
export function completionRows(
  input: InsightsInput,
  effortTasks: EffortTask[],
  personal: boolean,
  procrastinationIndex: number,
): CompletionRow[] {
  const now = Date.parse(input.now);
  const busy = busyIntervals(input);
  const record = logit(clamp(onTimeRate(input, personal).rate, 0.05, 0.95));
  const effortById = new Map(effortTasks.map((e) => [e.taskId, e]));
  const open = input.tasks
    .filter((t) => !t.completedAt && t.due)
    .map((t) => {
      const e = effortById.get(t.id);
      const predicted = e?.predictedMinutes ?? 60;
      const spent = e?.spentMinutes ?? 0;
      const remaining = Math.max(0.1 * predicted, predicted - spent);
      return {
        id: t.id,
        due: t.due ?? "",
        dueAt: Date.parse(t.due ?? ""),
        remaining,
        started: spent > 0 ? 1 : 0,
      };
    })
    .sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id));
  let demand = 0;
  const rows: CompletionRow[] = [];
  for (const t of open) {
    demand += t.remaining;
    const free = t.dueAt > now ? freeWorkingMinutes(input, now, t.dueAt, busy) : 0;
    const ratio = (free + 1) / (demand + 1);
    rows.push({
      taskId: t.id,
      due: t.due,
      dueAt: t.dueAt,
      remainingMinutes: Math.round(t.remaining),
      demandMinutes: Math.round(demand),
      freeMinutes: Math.round(free),
      slackRatio: round(ratio),
      features:
        t.dueAt <= now
          ? []
          : [
              Math.log(ratio),
              Math.log1p(free / 60),
              Math.log1p(t.remaining / 60),
              record,
              procrastinationIndex,
              t.started,
              Math.log1p((t.dueAt - now) / DAY),
            ],
    });
  }
  const order = new Map(input.tasks.map((t, i) => [t.id, i]));
  return rows.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
}

/** The TypeScript reference of the model (the ONNX export is checked against it). */
export function completionProbability(model: CompletionModel, features: readonly number[]): number {
  let z = model.intercept;
  model.weights.forEach((w, i) => {
    z += w * (features[i] ?? 0);
  });
  return logistic(z);
}

export function completion(
  input: InsightsInput,
  effortTasks: EffortTask[],
  personal: boolean,
  options: { procrastinationIndex?: number; model?: CompletionModel } = {},
): Completion[] {
  const model = options.model ?? trainedModels().completion;
  return completionRows(input, effortTasks, personal, options.procrastinationIndex ?? 0.3).map(
    ({ features, dueAt: _dueAt, ...row }) => ({
      ...row,
      probability: round(features.length ? clamp(completionProbability(model, features), 0.01, 0.99) : 0.01),
    }),
  );
}
