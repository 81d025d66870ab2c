/**
 * Lays out a person's week for the Plans page: one column per local day, meetings and Cairn's blocks placed
 * by their local start and end (split at midnight), overlapping items side by side in lanes, and the hours
 * shown widened to fit what is there.
 */
import { localParts } from "./local-time.ts";

export type TimelineKind = "meeting" | "task" | "focus" | "habit";

export interface TimelineSource {
  id: string;
  kind: TimelineKind;
  title: string;
  start: string;
  end: string;
  allDay?: boolean;
  /** Why Cairn put a block there (absent for meetings). */
  reason?: string;
  status?: string;
}

export interface TimelineItem extends TimelineSource {
  /** Minutes since local midnight, clipped to the day. */
  fromMinute: number;
  toMinute: number;
  lane: number;
  lanes: number;
}

export interface TimelineDay {
  date: string;
  weekday: number;
  items: TimelineItem[];
  allDay: TimelineSource[];
}

export interface WeekTimeline {
  days: TimelineDay[];
  /** The local hours shown: at least 08–18, widened to every item. */
  firstHour: number;
  lastHour: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The local dates from `from` (inclusive) to `to` (exclusive), stepping by midday to stay clear of DST. */
export function localDates(from: string, to: string, zone: string): { date: string; weekday: number }[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const dates: { date: string; weekday: number }[] = [];
  const last = localParts(end - 1, zone).date;
  for (let instant = start + 12 * HOUR; dates.length < 62; instant += DAY) {
    const parts = localParts(instant, zone);
    if (dates.at(-1)?.date !== parts.date) dates.push({ date: parts.date, weekday: parts.weekday });
    if (parts.date >= last) break;
  }
  // The first midday step skips the start's date when `from` is late in the local day.
  const first = localParts(start, zone);
  if (dates[0]?.date !== first.date) dates.unshift({ date: first.date, weekday: first.weekday });
  return dates;
}

/** Greedy lanes: each item takes the first lane free at its start; a cluster of overlaps shares its width. */
export function assignLanes(items: Omit<TimelineItem, "lane" | "lanes">[]): TimelineItem[] {
  const sorted = [...items].sort((a, b) => a.fromMinute - b.fromMinute || b.toMinute - a.toMinute);
  const placed: TimelineItem[] = [];
  let cluster: TimelineItem[] = [];
  let clusterEnd = -1;
  let laneEnds: number[] = [];
  const closeCluster = () => {
    for (const item of cluster) item.lanes = laneEnds.length;
    cluster = [];
    laneEnds = [];
  };
  for (const item of sorted) {
    if (item.fromMinute >= clusterEnd) closeCluster();
    let lane = laneEnds.findIndex((end) => end <= item.fromMinute);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(item.toMinute);
    } else {
      laneEnds[lane] = item.toMinute;
    }
    const laid: TimelineItem = { ...item, lane, lanes: 1 };
    cluster.push(laid);
    placed.push(laid);
    clusterEnd = Math.max(clusterEnd, item.toMinute);
  }
  closeCluster();
  return placed;
}

export function layoutWeek(
  sources: TimelineSource[],
  range: { from: string; to: string },
  zone: string,
): WeekTimeline {
  const dates = localDates(range.from, range.to, zone);
  const perDay = new Map(dates.map((d) => [d.date, [] as Omit<TimelineItem, "lane" | "lanes">[]]));
  const allDay = new Map(dates.map((d) => [d.date, [] as TimelineSource[]]));
  let firstMinute = 8 * 60;
  let lastMinute = 18 * 60;
  for (const source of sources) {
    const startMs = Date.parse(source.start);
    const endMs = Date.parse(source.end);
    if (!(endMs > startMs)) continue;
    const start = localParts(startMs, zone);
    // Read the last millisecond, so an item ending at midnight belongs to the day before.
    const end = localParts(endMs - 1, zone);
    const endMinute = end.minutes + 1;
    for (const { date } of dates) {
      if (date < start.date || date > end.date) continue;
      if (source.allDay) {
        allDay.get(date)?.push(source);
        continue;
      }
      const fromMinute = date === start.date ? start.minutes : 0;
      const toMinute = date === end.date ? endMinute : 24 * 60;
      perDay.get(date)?.push({ ...source, fromMinute, toMinute });
      firstMinute = Math.min(firstMinute, fromMinute);
      lastMinute = Math.max(lastMinute, toMinute);
    }
  }
  return {
    days: dates.map(({ date, weekday }) => ({
      date,
      weekday,
      items: assignLanes(perDay.get(date) ?? []),
      allDay: allDay.get(date) ?? [],
    })),
    firstHour: Math.floor(firstMinute / 60),
    lastHour: Math.min(24, Math.ceil(lastMinute / 60)),
  };
}

/** Where an item sits in its day column, as percentages of the hours shown. */
export function placement(item: TimelineItem, timeline: Pick<WeekTimeline, "firstHour" | "lastHour">) {
  const span = (timeline.lastHour - timeline.firstHour) * 60;
  const offset = timeline.firstHour * 60;
  return {
    top: ((item.fromMinute - offset) / span) * 100,
    height: Math.max(((item.toMinute - item.fromMinute) / span) * 100, 1.5),
    left: (item.lane / item.lanes) * 100,
    width: 100 / item.lanes,
  };
}
