/**
 * Slot features for the slot-preference model, defined once and shared by the trainer, the simulator's
 * evaluation and the engine's serving path. Change FEATURE_NAMES or `slotFeatures` only together with
 * FEATURE_VERSION: stored per-person statistics of another version are ignored (the person starts again
 * from the pooled prior).
 */

export const FEATURE_VERSION = 1;

/** What is known about one candidate block when it is scored. All times are the person's local wall clock. */
export interface SlotContext {
  /** Local start, minutes after local midnight (0-1439). */
  startMinuteOfDay: number;
  /** Local ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  durationMinutes: number;
  taskEnergy: "low" | "medium" | "high";
  /** At least half of the block lies in the person's declared peak hours. */
  inPeak: boolean;
  /** From the block's end to the task's deadline; null when the task has none. */
  minutesToDeadline: number | null;
  /** Gap between the end of the last busy event before the block (same day) and its start; null when none. */
  minutesAfterMeeting: number | null;
  /** Gap between the block's end and the next busy event (same day); null when none. */
  minutesBeforeMeeting: number | null;
  /** The weekday is one of the person's no-meeting days. */
  noMeetingDay: boolean;
}

export const FEATURE_NAMES = [
  "bias",
  "start_before_9",
  "start_9_11",
  "start_11_13",
  "start_13_15",
  "start_15_17",
  "start_17_plus",
  "morning",
  "monday",
  "friday",
  "weekend",
  "length_short",
  "length_long",
  "length_hours",
  "energy_match",
  "high_energy_off_peak",
  "deadline_within_24h",
  "deadline_slack_log_days",
  "right_after_meeting",
  "right_before_meeting",
  "no_meeting_day",
  "high_energy_morning",
  "low_energy_afternoon",
] as const;

export const FEATURE_COUNT = FEATURE_NAMES.length;

/** A meeting this close (minutes) to the block counts as adjacent. */
export const ADJACENT_MINUTES = 15;

/** Writes the feature vector of `slot` into `out` (length FEATURE_COUNT) and returns it. */
export function slotFeatures(slot: SlotContext, out = new Float64Array(FEATURE_COUNT)): Float64Array {
  const hour = slot.startMinuteOfDay / 60;
  const morning = hour < 12;
  out.fill(0);
  out[0] = 1;
  if (hour < 9) out[1] = 1;
  else if (hour < 11) out[2] = 1;
  else if (hour < 13) out[3] = 1;
  else if (hour < 15) out[4] = 1;
  else if (hour < 17) out[5] = 1;
  else out[6] = 1;
  out[7] = morning ? 1 : 0;
  out[8] = slot.weekday === 1 ? 1 : 0;
  out[9] = slot.weekday === 5 ? 1 : 0;
  out[10] = slot.weekday >= 6 ? 1 : 0;
  out[11] = slot.durationMinutes <= 45 ? 1 : 0;
  out[12] = slot.durationMinutes >= 90 ? 1 : 0;
  out[13] = Math.min(slot.durationMinutes, 240) / 60;
  const match =
    (slot.taskEnergy === "high" && slot.inPeak) || (slot.taskEnergy === "low" && !slot.inPeak) ? 1 : 0;
  out[14] = match;
  out[15] = slot.taskEnergy === "high" && !slot.inPeak ? 1 : 0;
  if (slot.minutesToDeadline !== null) {
    out[16] = slot.minutesToDeadline <= 24 * 60 ? 1 : 0;
    out[17] = Math.log1p(Math.max(0, slot.minutesToDeadline) / (24 * 60)) / 3;
  }
  out[18] = slot.minutesAfterMeeting !== null && slot.minutesAfterMeeting <= ADJACENT_MINUTES ? 1 : 0;
  out[19] = slot.minutesBeforeMeeting !== null && slot.minutesBeforeMeeting <= ADJACENT_MINUTES ? 1 : 0;
  out[20] = slot.noMeetingDay ? 1 : 0;
  out[21] = slot.taskEnergy === "high" && morning ? 1 : 0;
  out[22] = slot.taskEnergy === "low" && !morning ? 1 : 0;
  return out;
}
