/** A person's day for the nudge triggers and timing: Berlin (UTC+1 in March), 09:00–17:30 Monday to Friday. */
import { DEFAULT_NUDGE_PREFERENCES, type NudgePreferences } from "../../../engine/nudges/kinds.ts";
import type { TimingInput } from "../../../engine/nudges/timing.ts";
import type { PersonSnapshot, SnapshotBlock } from "../../../engine/nudges/triggers.ts";

export const WORKSPACE = "00000000-0000-4000-8000-00000000000a";
export const PERSON = "00000000-0000-4000-8000-00000000000b";
const weekday = [{ start: "09:00", end: "17:30" }];
export const HOURS = { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday };

/** Monday 16 March 2026, at a Berlin wall-clock time ("09:52"). */
export const monday = (clock: string): string => berlin("2026-03-16", clock);
export const friday = (clock: string): string => berlin("2026-03-20", clock);
function berlin(date: string, clock: string): string {
  return new Date(`${date}T${clock}:00+01:00`).toISOString();
}

let serial = 0;
export function block(fields: Partial<SnapshotBlock> & Pick<SnapshotBlock, "start" | "end">): SnapshotBlock {
  serial += 1;
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`,
    taskId: `00000000-0000-4000-9000-${String(serial).padStart(12, "0")}`,
    title: `Task ${serial}`,
    kind: "task",
    status: "planned",
    ...fields,
  };
}

export function snapshot(fields: Partial<PersonSnapshot> = {}): PersonSnapshot {
  return {
    workspaceId: WORKSPACE,
    personId: PERSON,
    timezone: "Europe/Berlin",
    workingHours: HOURS,
    now: monday("09:00"),
    blocks: [],
    meetings: [],
    tasks: [],
    startedTaskIds: [],
    unscheduled: [],
    completedToday: 0,
    streakDays: 0,
    ...fields,
  };
}

export function timing(
  fields: Partial<TimingInput> = {},
  preferences: Partial<NudgePreferences> = {},
): TimingInput {
  return {
    personId: PERSON,
    timezone: "Europe/Berlin",
    workingHours: HOURS,
    now: monday("09:00"),
    preferences: { ...DEFAULT_NUDGE_PREFERENCES, ...preferences },
    busy: [],
    alreadyToday: 0,
    sendTimes: new Map(),
    horizonMs: 24 * 3_600_000,
    ...fields,
  };
}
