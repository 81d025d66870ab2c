/**
 * What if: the person's plan replanned on a copy of their state with hypothetical changes, compared with the
 * same replan without them. Reads only (one read-only snapshot); nothing is stored or sent anywhere.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import type { Queryable } from "../../db/port.ts";
import { latestPlanVersion } from "../../db/repositories/plans.ts";
import { AT_RISK_THRESHOLD, AtRiskTask } from "../input/behavior-signals.ts";
import { type GatheredInput, gatherPlanInput } from "../input/gather-input.ts";
import { localDaysHorizon } from "../input/horizon.ts";
import {
  describeChange,
  type HypotheticalChange,
  latestChangeInstant,
  newTaskId,
} from "../input/hypothesis.ts";
import type { TimeRange } from "../input/plan-input.ts";
import { loadPlanningProfile } from "../input/profile.ts";
import { loadLearnerState } from "../learning/slot-preference.ts";
import type { ScheduleBlock, ScheduleOutput } from "../routines/routines.ts";
import { planGathered } from "./planning-service.ts";

/** What-if looks at the coming week, stretched to reach the latest change (at most this many days). */
export const WHAT_IF_DAYS = 7;
export const WHAT_IF_MAX_DAYS = 28;

const Span = z.object({ start: z.string(), end: z.string() });

export const MovedBlock = z.object({
  taskId: z.string().optional(),
  habitId: z.string().optional(),
  title: z.string(),
  from: Span,
  to: Span.nullable().describe("null: the block has no place any more"),
});
export const AddedBlock = z.object({
  taskId: z.string().optional(),
  habitId: z.string().optional(),
  title: z.string(),
  start: z.string(),
  end: z.string(),
});
export const NewlyAtRisk = AtRiskTask.extend({ title: z.string() });
export const NewlyUnscheduled = z.object({
  taskId: z.string().optional(),
  habitId: z.string().optional(),
  title: z.string(),
  date: z.string().optional().describe("For a habit: the local date of the occurrence"),
  remainingMinutes: z.number().int(),
  reason: z.string(),
});

export const WhatIfResult = z.object({
  horizon: z.object({ start: z.string(), end: z.string() }),
  timezone: z.string(),
  moved: z.array(MovedBlock).describe("Blocks that would move (from → to) or lose their place (to: null)"),
  added: z
    .array(AddedBlock)
    .describe("Blocks the change would add (a new task's, or a moved task's extra part)"),
  newlyAtRisk: z
    .array(NewlyAtRisk)
    .describe("Tasks whose chance of finishing by their due time would drop below 50 %"),
  newlyUnscheduled: z.array(NewlyUnscheduled).describe("Work that would no longer fit in the horizon"),
  stored: z.literal(false).describe("Always false: what-if never changes your plan, tasks or calendar"),
  summary: z.string(),
});
export type WhatIfResult = z.infer<typeof WhatIfResult>;

type Owned = { key: string; taskId?: string; habitId?: string; title: string; start: string; end: string };

function ownedBlocks(output: ScheduleOutput, gathered: GatheredInput, timezone: string): Owned[] {
  const out: Owned[] = [];
  for (const block of output.blocks as ScheduleBlock[]) {
    if (block.kind === "task") {
      const title = gathered.tasks.get(block.taskId)?.title ?? "";
      out.push({
        key: `task:${block.taskId}`,
        taskId: block.taskId,
        title,
        start: block.start,
        end: block.end,
      });
    } else if (block.kind === "habit") {
      // A habit's occurrences are told apart by their local date.
      const date = DateTime.fromISO(block.start, { zone: timezone }).toISODate();
      const title = gathered.habits.get(block.habitId)?.title ?? "";
      out.push({ key: `habit:${block.habitId}:${date}`, habitId: block.habitId, title, ...span(block) });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}

const span = (b: { start: string; end: string }) => ({ start: b.start, end: b.end });
const ids = (b: { taskId?: string; habitId?: string }) => ({
  ...(b.taskId !== undefined && { taskId: b.taskId }),
  ...(b.habitId !== undefined && { habitId: b.habitId }),
});

/** Pairs each owner's blocks in time order: a pair that differs moved; a block left over moved nowhere or is new. */
export function diffBlocks(
  before: Owned[],
  after: Owned[],
): { moved: z.infer<typeof MovedBlock>[]; added: z.infer<typeof AddedBlock>[] } {
  const group = (blocks: Owned[]) => {
    const map = new Map<string, Owned[]>();
    for (const b of blocks) map.set(b.key, [...(map.get(b.key) ?? []), b]);
    return map;
  };
  const was = group(before);
  const now = group(after);
  const moved: z.infer<typeof MovedBlock>[] = [];
  const added: z.infer<typeof AddedBlock>[] = [];
  for (const [key, old] of was) {
    const fresh = now.get(key) ?? [];
    // Unchanged blocks pair with themselves first, so one inserted block does not look like many moves.
    const unmatchedOld = old.filter((o) => !fresh.some((f) => f.start === o.start && f.end === o.end));
    const unmatchedNew = fresh.filter((f) => !old.some((o) => o.start === f.start && o.end === f.end));
    unmatchedOld.forEach((o, i) => {
      const f = unmatchedNew[i];
      moved.push({ ...ids(o), title: o.title, from: span(o), to: f ? span(f) : null });
    });
    for (const f of unmatchedNew.slice(unmatchedOld.length))
      added.push({ ...ids(f), title: f.title, ...span(f) });
  }
  for (const [key, fresh] of now) {
    if (was.has(key)) continue;
    for (const f of fresh) added.push({ ...ids(f), title: f.title, ...span(f) });
  }
  const byStart = (a: { start?: string; from?: { start: string } }, b: typeof a) =>
    (a.from?.start ?? a.start ?? "").localeCompare(b.from?.start ?? b.start ?? "");
  return { moved: moved.sort(byStart), added: added.sort(byStart) };
}

function unscheduledOf(output: ScheduleOutput, gathered: GatheredInput) {
  return output.unscheduled.map((u) =>
    "taskId" in u
      ? {
          key: `task:${u.taskId}`,
          taskId: u.taskId,
          title: gathered.tasks.get(u.taskId)?.title ?? "",
          remainingMinutes: u.remainingMinutes,
          reason: u.reason,
        }
      : {
          key: `habit:${u.habitId}:${u.date}`,
          habitId: u.habitId,
          title: gathered.habits.get(u.habitId)?.title ?? "",
          date: u.date,
          remainingMinutes: u.remainingMinutes,
          reason: u.reason,
        },
  );
}

export function whatIfHorizon(
  timezone: string,
  now: Date,
  changes: readonly HypotheticalChange[],
): TimeRange {
  const today = DateTime.fromJSDate(now, { zone: timezone }).toISODate() as string;
  const week = localDaysHorizon(timezone, today, WHAT_IF_DAYS);
  const reach = latestChangeInstant(changes, timezone);
  if (reach <= Date.parse(week.end)) return week;
  const longest = localDaysHorizon(timezone, today, WHAT_IF_MAX_DAYS);
  const end = DateTime.fromMillis(Math.min(reach, Date.parse(longest.end)), { zone: timezone });
  const endOfDay = end.equals(end.startOf("day")) ? end : end.plus({ days: 1 }).startOf("day");
  return { start: week.start, end: endOfDay.toUTC().toISO() as string };
}

const percent = (p: number) => `${Math.round(p * 100)} %`;

/** Replans a copy of the person's state with and without the changes and says what differs. */
export async function whatIf(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  now: Date,
  changes: readonly HypotheticalChange[],
): Promise<WhatIfResult> {
  const profile = await loadPlanningProfile(tx, personId);
  const timezone = profile.timezone;
  const horizon = whatIfHorizon(timezone, now, changes);
  const base = await gatherPlanInput(tx, personId, now, horizon, { workspaceId });
  const changed = await gatherPlanInput(tx, personId, now, horizon, { workspaceId, changes });
  const learner = await loadLearnerState(tx, personId);
  const version = (await latestPlanVersion(tx, personId)) + 1;
  const before = planGathered(base, learner, version, now).output;
  const after = planGathered(changed, learner, version, now).output;

  const { moved, added } = diffBlocks(
    ownedBlocks(before, base, timezone),
    ownedBlocks(after, changed, timezone),
  );
  const wasRisky = new Set(base.atRisk.map((r) => r.taskId));
  const newlyAtRisk = changed.atRisk
    .filter((r) => !wasRisky.has(r.taskId))
    .map((r) => ({ ...r, title: changed.tasks.get(r.taskId)?.title ?? "" }));
  const leftBefore = new Map(unscheduledOf(before, base).map((u) => [u.key, u.remainingMinutes]));
  const newlyUnscheduled = unscheduledOf(after, changed)
    .filter((u) => u.remainingMinutes > (leftBefore.get(u.key) ?? 0))
    .map(({ key: _key, ...u }) => u);

  const titleOf = (id: string) => changed.tasks.get(id)?.title ?? id;
  const what = changes.map((c) => describeChange(c, timezone, titleOf)).join(", ");
  const parts: string[] = [];
  if (moved.length === 0 && newlyAtRisk.length === 0 && newlyUnscheduled.length === 0) {
    parts.push(`With ${what}, your plan would stay as it is`);
  } else {
    const movedText = moved.length
      ? `${moved.length} block${moved.length === 1 ? "" : "s"} would move`
      : "no block would move";
    parts.push(`With ${what}, ${movedText}`);
    if (newlyAtRisk.length) {
      const named = newlyAtRisk
        .slice(0, 3)
        .map((r) => `“${r.title}” (${percent(r.probability)} chance by its due time)`)
        .join(", ");
      parts.push(`at risk: ${named}${newlyAtRisk.length > 3 ? ` and ${newlyAtRisk.length - 3} more` : ""}`);
    }
    if (newlyUnscheduled.length) {
      const named = newlyUnscheduled
        .slice(0, 3)
        .map((u) => `“${u.title}”`)
        .join(", ");
      parts.push(
        `no longer fitting: ${named}${newlyUnscheduled.length > 3 ? ` and ${newlyUnscheduled.length - 3} more` : ""}`,
      );
    }
  }
  const newTasks = changes.flatMap((c, i) => (c.type === "task" ? [newTaskId(i)] : []));
  const placed = newTasks.filter((id) => added.some((a) => a.taskId === id)).length;
  const newTaskText =
    newTasks.length > 0
      ? ` The new task${newTasks.length === 1 ? "" : "s"}: ${placed} of ${newTasks.length} placed.`
      : "";
  return {
    horizon,
    timezone,
    moved,
    added,
    newlyAtRisk,
    newlyUnscheduled,
    stored: false,
    summary: `${parts.join("; ")}.${newTaskText} Nothing was changed: this is a what-if (threshold ${percent(AT_RISK_THRESHOLD)}).`,
  };
}
