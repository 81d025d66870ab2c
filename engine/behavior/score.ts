/**
 * Productivity score (0..100) over the last 7 days from three parts: blocks kept (of kept, moved and
 * deleted), completions on time (of completions with a due date), and focus minutes against a weekly
 * 10-hour reference. A part with nothing to measure counts as neutral (0.5). The explanation compares each
 * part with the 7 days before and names what moved the score.
 */
import {
  clamp,
  clip,
  DAY,
  type Interval,
  localDayNumber,
  round,
  sortedEvents,
  sumMinutes,
  zoneOffset,
} from "./history.ts";
import type { InsightsInput } from "./insights-input.ts";

export interface Score {
  value: number;
  streakDays: number;
  explanation: string;
  parts: { blocksKept: number; onTime: number; focus: number };
  previousValue: number;
}

const WEIGHTS = { blocksKept: 0.3, onTime: 0.35, focus: 0.35 };
const FOCUS_REFERENCE = 600;

interface Window {
  kept: number;
  blocks: number;
  onTime: number;
  withDue: number;
  focusMinutes: number;
}

type TimedEvent = ReturnType<typeof sortedEvents>[number];

function windowStats(
  input: InsightsInput,
  events: TimedEvent[],
  work: Interval[],
  from: number,
  to: number,
): Window {
  const w: Window = {
    kept: 0,
    blocks: 0,
    onTime: 0,
    withDue: 0,
    focusMinutes: sumMinutes(clip(work, from, to)),
  };
  for (const e of events) {
    if (e.t < from || e.t >= to) continue;
    if (e.type === "block_kept") w.kept++;
    if (e.type === "block_kept" || e.type === "block_moved" || e.type === "block_deleted") w.blocks++;
  }
  for (const t of input.tasks) {
    if (!t.completedAt || !t.due) continue;
    const done = Date.parse(t.completedAt);
    if (done < from || done >= to) continue;
    w.withDue++;
    if (done <= Date.parse(t.due)) w.onTime++;
  }
  return w;
}

function parts(w: Window) {
  return {
    blocksKept: w.blocks ? w.kept / w.blocks : 0.5,
    onTime: w.withDue ? w.onTime / w.withDue : 0.5,
    focus: clamp(w.focusMinutes / FOCUS_REFERENCE, 0, 1),
  };
}

const value = (p: ReturnType<typeof parts>) =>
  Math.round(100 * (WEIGHTS.blocksKept * p.blocksKept + WEIGHTS.onTime * p.onTime + WEIGHTS.focus * p.focus));

/** Consecutive local days up to today with a completion or a kept block; today counts only once it has one. */
export function streakDays(input: InsightsInput): number {
  const offset = zoneOffset(input.person.timezone);
  const localDay = (t: number) => localDayNumber(t, offset);
  const now = Date.parse(input.now);
  const days = new Set<number>();
  for (const e of input.events) {
    if (e.type !== "task_completed" && e.type !== "block_kept") continue;
    const t = Date.parse(e.at);
    if (t <= now) days.add(localDay(t));
  }
  for (const t of input.tasks)
    if (t.completedAt && Date.parse(t.completedAt) <= now) days.add(localDay(Date.parse(t.completedAt)));
  let day = localDay(now);
  if (!days.has(day)) day--;
  let streak = 0;
  while (days.has(day) && streak < 3660) {
    streak++;
    day--;
  }
  return streak;
}

export function score(input: InsightsInput, work: Interval[]): Score {
  const now = Date.parse(input.now);
  const events = sortedEvents(input);
  const cur = windowStats(input, events, work, now - 7 * DAY, now);
  const prev = windowStats(input, events, work, now - 14 * DAY, now - 7 * DAY);
  const p = parts(cur);
  const q = parts(prev);
  const v = value(p);
  const before = value(q);
  const streak = streakDays(input);
  const said: string[] = [
    cur.blocks ? `${cur.kept} of ${cur.blocks} planned blocks kept` : "no planned blocks to keep",
    cur.withDue
      ? `${cur.onTime} of ${cur.withDue} tasks with a due date done on time`
      : "no due tasks finished",
    `${round(cur.focusMinutes / 60, 1)} h of focus (reference ${FOCUS_REFERENCE / 60} h)`,
  ];
  const moves = (
    [
      ["kept blocks", WEIGHTS.blocksKept * (p.blocksKept - q.blocksKept)],
      ["on-time completions", WEIGHTS.onTime * (p.onTime - q.onTime)],
      ["focus time", WEIGHTS.focus * (p.focus - q.focus)],
    ] as [string, number][]
  ).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const [topName, topDelta] = moves[0] ?? ["", 0];
  const change =
    v === before
      ? `Unchanged from the 7 days before (${before}).`
      : `${v > before ? "Up" : "Down"} ${Math.abs(v - before)} from the 7 days before (${before}), mostly from ${topDelta >= 0 ? "more" : "fewer"} ${topName}.`;
  const streakText =
    streak > 0
      ? ` Streak: ${streak} day${streak === 1 ? "" : "s"} in a row with a completion or a kept block.`
      : "";
  return {
    value: v,
    streakDays: streak,
    explanation: `Score ${v} for the last 7 days: ${said.join(", ")}. ${change}${streakText}`,
    parts: { blocksKept: round(p.blocksKept), onTime: round(p.onTime), focus: round(p.focus) },
    previousValue: before,
  };
}
