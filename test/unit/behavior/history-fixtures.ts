/** Hand-made histories for the behaviour estimators: a person, their finished tasks and focus sessions. */
import { DateTime } from "luxon";
import type { InsightsInputRaw } from "../../../engine/behavior/insights-input.ts";

type Raw = InsightsInputRaw;
type RawTask = Raw["tasks"] extends (infer T)[] | undefined ? T : never;
type RawEvent = Raw["events"] extends (infer T)[] | undefined ? T : never;

export const ZONE = "Europe/Berlin";
const WEEKDAY = [{ start: "09:00", end: "17:30" }];
export const WORKING_HOURS = { mon: WEEKDAY, tue: WEEKDAY, wed: WEEKDAY, thu: WEEKDAY, fri: WEEKDAY };

export interface HistoryOptions {
  /** Days of history before now (each weekday gets one finished task). */
  days?: number;
  /** Local hour the daily focus session starts, and its length in hours. */
  focusHour?: number;
  focusHours?: number;
  /** actual = estimate × ratio (given as actualMinutes unless derived). */
  ratio?: number;
  /** Leave actualMinutes out so it comes from focus events. */
  derived?: boolean;
  now?: string;
  tags?: string[];
}

/** A person who, every weekday, works one focus session on one task and finishes it on time. */
export function history(options: HistoryOptions = {}): Raw {
  const { days = 14, focusHour = 10, focusHours = 2, ratio = 1, derived = false, tags = ["work"] } = options;
  const now = DateTime.fromISO(options.now ?? "2026-03-20T07:00:00Z", { zone: ZONE });
  const tasks: RawTask[] = [];
  const events: RawEvent[] = [];
  for (let d = days; d >= 1; d--) {
    const day = now.minus({ days: d }).startOf("day");
    if (day.weekday > 5) continue;
    const id = `done-${d}`;
    const start = day.set({ hour: focusHour });
    const actual = focusHours * 60;
    const end = start.plus({ minutes: actual });
    tasks.push({
      id,
      title: `Finished ${d}`,
      estimateMinutes: Math.round(actual / ratio),
      due: day.plus({ days: 1, hours: 17 }).toUTC().toISO() ?? "",
      priority: 2,
      tags,
      createdAt: day.minus({ days: 2 }).toUTC().toISO() ?? "",
      completedAt: end.toUTC().toISO() ?? "",
      actualMinutes: derived ? null : actual,
    });
    events.push(
      { type: "task_started", at: start.toUTC().toISO() ?? "", taskId: id },
      { type: "focus_started", at: start.toUTC().toISO() ?? "", taskId: id },
      { type: "focus_ended", at: end.toUTC().toISO() ?? "", taskId: id },
      { type: "block_kept", at: end.toUTC().toISO() ?? "", taskId: id },
      { type: "task_completed", at: end.toUTC().toISO() ?? "", taskId: id },
    );
  }
  return {
    person: { timezone: ZONE, workingHours: WORKING_HOURS },
    now: now.toUTC().toISO() ?? "",
    tasks,
    events,
    busy: [],
  };
}

export function withOpenTask(raw: Raw, task: Partial<RawTask> & { id: string }): Raw {
  return {
    ...raw,
    tasks: [
      ...(raw.tasks ?? []),
      {
        title: task.id,
        estimateMinutes: 120,
        due: null,
        priority: 2,
        tags: [],
        createdAt: raw.now,
        completedAt: null,
        actualMinutes: null,
        ...task,
      },
    ],
  };
}
