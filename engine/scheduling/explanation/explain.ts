import { DateTime } from "luxon";
import type { PlanModel, TaskModel } from "../input/plan-model.ts";
import type { DecodedPlan, Placement } from "../solver/decoder.ts";
import { type Binding, bindingConstraint, earliestFeasibleStart } from "./binding-constraint.ts";
import { localDayNumber, minutesInLocalWindows } from "./plan-metrics.ts";

const MINUTE_MS = 60_000;

function localDay(model: PlanModel, epochMinutes: number): DateTime {
  return DateTime.fromMillis(epochMinutes * MINUTE_MS, {
    zone: model.input.person.timezone,
    locale: "en-GB",
  });
}

const labelCache = new Map<string, string>();

/** A formatted local label, cached per zone, format and instant (reasons repeat the same deadlines). */
function cachedLabel(model: PlanModel, epochMinutes: number, format: string): string {
  const key = `${model.input.person.timezone}|${format}|${epochMinutes}`;
  let label = labelCache.get(key);
  if (label === undefined) {
    if (labelCache.size > 50_000) labelCache.clear();
    label = localDay(model, epochMinutes).toFormat(format);
    labelCache.set(key, label);
  }
  return label;
}

function dayLabel(model: PlanModel, epochMinutes: number): string {
  return cachedLabel(model, epochMinutes, "ccc d LLL");
}

function timeLabel(model: PlanModel, epochMinutes: number): string {
  return cachedLabel(model, epochMinutes, "ccc d LLL HH:mm");
}

function quoted(task: TaskModel | undefined): string {
  if (!task) return "a prerequisite";
  return task.title ? `“${task.title}”` : `task ${task.id}`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

function lateness(minutes: number): string {
  if (minutes < 60) return plural(Math.ceil(minutes), "minute");
  if (minutes < 24 * 60) return plural(Math.round(minutes / 60), "hour");
  return plural(Math.round(minutes / (24 * 60)), "day");
}

/** The binding constraint as a clause: "your daily focus cap of 300 minutes is reached on every day with free time". */
export function bindingPhrase(model: PlanModel, binding: Binding, task?: TaskModel): string {
  switch (binding.kind) {
    case "noWorkingHours":
      return binding.partly
        ? "no more working hours are left in that time"
        : "there are no working hours in that time";
    case "meetings": {
      const buffer = model.input.person.preferences.bufferMinutes;
      return `meetings${buffer > 0 ? ` (with their ${buffer}-minute buffers)` : ""} fill your working hours`;
    }
    case "dailyCap":
      return `your daily focus cap of ${binding.cap} minutes is reached on every day with free time`;
    case "otherWork": {
      const named = binding.tasks.slice(0, 2).map((j) => quoted(model.tasks[j]));
      const more = binding.tasks.length - named.length;
      const list = more > 0 ? `${named.join(", ")} and ${plural(more, "other task")}` : named.join(" and ");
      // The search may put a less urgent task first to keep it on time; then "more urgent" would not be true.
      const lessUrgent =
        task === undefined ? [] : binding.tasks.filter((j) => !isMoreUrgent(model.tasks[j], task));
      if (lessUrgent.length === 0) return `more urgent work fills the free time (${list})`;
      return lessUrgent.every((j) => model.tasks[j]?.due != null)
        ? `other work, planned first so that it meets its own deadlines, fills the free time (${list})`
        : `other work planned ahead of it fills the free time (${list})`;
    }
    case "shortStretches":
      return binding.longest > 0
        ? `the free stretches left are at most ${binding.longest} minutes, too short for a block`
        : "no free stretch is long enough for a block";
  }
}

/** Due earlier (or due when the other is not), or the same due at a higher priority. */
function isMoreUrgent(other: TaskModel | undefined, task: TaskModel): boolean {
  if (other === undefined) return false;
  if (other.due !== null && (task.due === null || other.due < task.due)) return true;
  return other.due === task.due && other.priority < task.priority;
}

/** Why a task finishes after its deadline: the constraint that kept its work out of the time before it. */
function latePhrase(model: PlanModel, plan: DecodedPlan, task: TaskModel, due: number): string {
  const from = earliestFeasibleStart(plan, task);
  if (from >= due) {
    if (task.release >= due) return `it may not start before ${dayLabel(model, task.release)}`;
    return "its prerequisites finish after its deadline";
  }
  const before = plan.placements
    .filter((p) => p.task === task.index)
    .reduce((sum, p) => sum + Math.max(0, Math.min(p.minutes, due - p.start)), 0);
  const binding = bindingConstraint(model, plan, task, from, due, Math.max(1, task.estimate - before));
  return `before then ${bindingPhrase(model, binding, task)}`;
}

function deadlinePhrase(
  model: PlanModel,
  plan: DecodedPlan,
  task: TaskModel,
  blockEnd: number,
  finish: number,
): string | null {
  if (task.due === null) return null;
  const due = dayLabel(model, task.due);
  if (finish > task.due) {
    return `at the earliest time it fits; it finishes ${lateness(finish - task.due)} after its ${due} deadline (${latePhrase(model, plan, task, task.due)})`;
  }
  const zone = model.input.person.timezone;
  const days = localDayNumber(zone, task.due * MINUTE_MS) - localDayNumber(zone, blockEnd * MINUTE_MS);
  if (days <= 0) return `on the day of its ${due} deadline`;
  return `${plural(days, "day")} before its ${due} deadline`;
}

function energyPhrase(model: PlanModel, task: TaskModel, block: Placement): string | null {
  if (task.energy === "medium") return null;
  const peak = minutesInLocalWindows(
    model.input.person.timezone,
    block.start * MINUTE_MS,
    (block.start + block.minutes) * MINUTE_MS,
    model.input.person.energy.peakHours,
  );
  const mostlyPeak = peak * 2 >= block.minutes;
  if (task.energy === "high")
    return mostlyPeak ? "in your peak hours" : "outside your peak hours (none were free in time)";
  return mostlyPeak ? null : "outside your peak hours, since it needs little energy";
}

/** One human sentence per block: why it sits where it does. */
export function explainBlock(
  model: PlanModel,
  plan: DecodedPlan,
  block: Placement,
  parts: [number, number],
): string {
  const task = model.tasks[block.task];
  if (!task) return "Scheduled.";
  const finish = plan.completion[task.index];
  const end = block.start + block.minutes;
  const phrases: string[] = [];
  const energy = energyPhrase(model, task, block);
  if (energy) phrases.push(energy);
  if (block.preferred) phrases.push("at a time you tend to keep (learned from how you treat your blocks)");
  const deadline = deadlinePhrase(
    model,
    plan,
    task,
    end,
    finish === undefined || Number.isNaN(finish)
      ? model.horizonEnd + (plan.remaining[task.index] ?? 0)
      : finish,
  );
  if (deadline) phrases.push(deadline);
  else phrases.push(`in free time (priority ${task.priority}, no deadline)`);
  if (task.preds.length > 0)
    phrases.push(`after ${task.preds.map((p) => quoted(model.tasks[p])).join(" and ")}`);
  if (task.release > model.now && block.start - task.release < 24 * 60 && task.release > model.horizonStart) {
    phrases.push(`as soon as it may start (${dayLabel(model, task.release)})`);
  }
  const lead = block.kept ? "Kept from your previous plan:" : "Scheduled";
  const part = parts[1] > 1 ? ` (part ${parts[0]} of ${parts[1]})` : "";
  return `${lead} ${phrases.join(", ")}${part}.`;
}

/** Why work is left over, most specific cause first. */
export function explainUnscheduled(model: PlanModel, plan: DecodedPlan, task: TaskModel): string {
  const horizonEnd = dayLabel(model, model.horizonEnd - 1);
  const blocker = plan.blockedBy[task.index] ?? -1;
  if (blocker >= 0) {
    return `It waits for ${quoted(model.tasks[blocker])}, which could not be fully scheduled before ${horizonEnd}.`;
  }
  if (!task.splittable && task.estimate > model.maxBlock) {
    return `It needs one uninterrupted ${task.estimate}-minute block, longer than your ${model.maxBlock}-minute maximum; split it or raise the maximum.`;
  }
  if (task.release >= model.horizonEnd) {
    return `It can't start before ${dayLabel(model, task.release)}, after this planning horizon.`;
  }
  const left = plan.remaining[task.index] ?? 0;
  const from = earliestFeasibleStart(plan, task);
  const binding = bindingConstraint(model, plan, task, from, model.horizonEnd, left);
  const start = Math.max(model.now, model.horizonStart);
  let cause = bindingPhrase(model, binding, task);
  if (binding.kind === "noWorkingHours" && from > start) {
    const after = "no more working hours are left after that";
    cause =
      task.release >= from
        ? `it may not start before ${timeLabel(model, task.release)}, and ${after}`
        : `its prerequisites finish at ${timeLabel(model, from)}, and ${after}`;
  }
  if (!task.splittable) {
    return `No free stretch of ${task.estimate} uninterrupted minutes was left before ${horizonEnd}: ${cause}.`;
  }
  const done = task.estimate - left;
  const share = done > 0 ? `Only ${done} of ${task.estimate} minutes fit` : "No time was left for it";
  return `${share} before ${horizonEnd}: ${cause}.`;
}
