/**
 * Working hours as people type them: one weekday per line, "mon 09:00-12:30, 13:30-17:30"; "sat off" or a
 * missing day means no work that day. Converted to and from set_preferences' { mon: [{start, end}] }.
 */

export const WEEKDAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];
export type Interval = { start: string; end: string };
export type WeekHours = Partial<Record<WeekdayKey, Interval[]>>;

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function formatWorkingHours(hours: Record<string, readonly Interval[] | null | undefined>): string {
  return WEEKDAY_KEYS.map((day) => {
    const intervals = hours[day] ?? [];
    return `${day} ${intervals.length === 0 ? "off" : intervals.map((i) => `${i.start}-${i.end}`).join(", ")}`;
  }).join("\n");
}

export class WorkingHoursError extends Error {}

const pad = (time: string) => (/^\d:/.test(time) ? `0${time}` : time);

export function parseWorkingHours(text: string): WeekHours {
  const hours: WeekHours = {};
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim().toLowerCase();
    if (!line) continue;
    const [dayWord = "", ...rest] = line.split(/\s+/);
    const day = WEEKDAY_KEYS.find((key) => dayWord.startsWith(key));
    if (!day) {
      throw new WorkingHoursError(
        `Line ${index + 1}: start with a weekday (mon … sun), e.g. "mon 09:00-17:00".`,
      );
    }
    const spec = rest.join(" ").trim();
    if (spec === "" || spec === "off") {
      hours[day] = [];
      continue;
    }
    hours[day] = spec.split(",").map((part) => {
      const [start = "", end = ""] = part.split("-").map((time) => pad(time.trim()));
      if (!TIME.test(start) || !TIME.test(end) || end <= start) {
        throw new WorkingHoursError(
          `Line ${index + 1}: "${part.trim()}" is not a time range; write HH:MM-HH:MM with the end after the start.`,
        );
      }
      return { start, end };
    });
  }
  return hours;
}
