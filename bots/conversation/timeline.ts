/**
 * Times on a timeline, drawn in the person's zone the same way on every surface.
 */
import { DateTime } from "luxon";
import type { TimelineItem } from "./message.ts";

export function clockRange(item: Pick<TimelineItem, "start" | "end">, timezone: string): string {
  const start = DateTime.fromISO(item.start, { zone: timezone });
  const end = DateTime.fromISO(item.end, { zone: timezone });
  return `${start.toFormat("HH:mm")}–${end.toFormat("HH:mm")}`;
}

export function dayLabel(date: string, timezone: string): string {
  return DateTime.fromISO(date, { zone: timezone }).setLocale("en-GB").toFormat("cccc d LLLL");
}

export const KIND_LABEL: Record<TimelineItem["kind"], string> = {
  focus: "Focus",
  meeting: "Meeting",
  habit: "Habit",
  task: "Task",
};

export function sortedItems(items: readonly TimelineItem[]): TimelineItem[] {
  return [...items].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
