/**
 * What a nudge is: its kinds, statuses and answers, and the person's nudge preferences (stored under
 * people.preferences.nudges). Defaults, documented once: every kind on, no quiet hours beyond working hours,
 * at most 4 nudges a day, delivered in chat.
 */
import { z } from "zod";

export const NUDGE_KINDS = [
  "morning_plan",
  "block_starting",
  "block_missed",
  "deadline_at_risk",
  "overload",
  "wrap_up",
  "weekly_review",
  "streak",
] as const;
export const NudgeKind = z.enum(NUDGE_KINDS);
export type NudgeKind = z.infer<typeof NudgeKind>;

export const NudgeStatus = z.enum([
  "scheduled",
  "sending",
  "sent",
  "acted",
  "dismissed",
  "cancelled",
  "failed",
]);
export type NudgeStatus = z.infer<typeof NudgeStatus>;

export const NudgeAnswer = z.enum(["done", "snooze", "reschedule", "skip"]);
export type NudgeAnswer = z.infer<typeof NudgeAnswer>;

export const LocalClock = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected a local time "HH:MM" (00:00-23:59)');

export const QuietHours = z.object({ start: LocalClock, end: LocalClock });
export type QuietHours = z.infer<typeof QuietHours>;

export const NudgeChannel = z.enum(["chat", "email"]);
export type NudgeChannel = z.infer<typeof NudgeChannel>;

export const DEFAULT_DAILY_CAP = 4;
export const MAX_DAILY_CAP = 20;

export const NudgePreferences = z.object({
  enabledKinds: z.array(NudgeKind),
  /** Local [start, end) with no nudges; may wrap midnight ("21:00"–"08:00"). null: none. */
  quietHours: QuietHours.nullable(),
  dailyCap: z.number().int().min(0).max(MAX_DAILY_CAP),
  channel: NudgeChannel,
});
export type NudgePreferences = z.infer<typeof NudgePreferences>;

export const DEFAULT_NUDGE_PREFERENCES: NudgePreferences = {
  enabledKinds: [...NUDGE_KINDS],
  quietHours: null,
  dailyCap: DEFAULT_DAILY_CAP,
  channel: "chat",
};

/** What is stored: any field may be missing (the default applies). */
export const StoredNudgePreferences = NudgePreferences.partial();

export function nudgePreferencesFrom(stored: unknown): NudgePreferences {
  if (stored === null || stored === undefined) return { ...DEFAULT_NUDGE_PREFERENCES };
  const parsed = StoredNudgePreferences.safeParse(stored ?? {});
  return { ...DEFAULT_NUDGE_PREFERENCES, ...(parsed.success ? dropUndefined(parsed.data) : {}) };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Higher first: which nudges win when the daily cap leaves room for only some. */
export const KIND_PRIORITY: Record<NudgeKind, number> = {
  block_starting: 8,
  block_missed: 7,
  deadline_at_risk: 6,
  morning_plan: 5,
  overload: 4,
  wrap_up: 3,
  weekly_review: 2,
  streak: 1,
};
