/**
 * The workspace's insights for admins, aggregated so no one person's numbers show: kept focus by
 * weekday and local hour, and the daily average burnout risk, score and effort multiplier.
 */
import { DateTime } from "luxon";
import type { KeptFocus, StateSnapshot } from "../../engine/db/repositories/console-views.ts";

/** 7 rows (0 = Monday) of 24 local hours: minutes of kept focus. */
export function focusHeatmap(blocks: readonly KeptFocus[]): number[][] {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const block of blocks) {
    let at = DateTime.fromJSDate(block.startAt, { zone: block.timezone });
    if (!at.isValid) at = DateTime.fromJSDate(block.startAt, { zone: "UTC" });
    const end = block.endAt.getTime();
    while (at.toMillis() < end) {
      const hourEnd = Math.min(at.startOf("hour").plus({ hours: 1 }).toMillis(), end);
      const row = grid[at.weekday - 1] as number[];
      row[at.hour] = (row[at.hour] as number) + (hourEnd - at.toMillis()) / 60_000;
      at = DateTime.fromMillis(hourEnd, { zone: at.zone });
    }
  }
  return grid.map((row) => row.map((minutes) => Math.round(minutes)));
}

export interface DailySnapshot {
  burnoutRisk: number;
  score: number;
  effortMultiplier: number;
}

const numberAt = (state: Record<string, unknown>, key: keyof DailySnapshot): number | undefined => {
  const value = state[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
};

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** One point per UTC date: the mean over the people with a snapshot that day (their last of the day). */
export function dailyTrends(snapshots: readonly StateSnapshot[]): {
  burnoutTrend: { date: string; avgRisk: number }[];
  scoreTrend: { date: string; avgScore: number }[];
} {
  const byDate = new Map<string, Map<string, Record<string, unknown>>>();
  for (const snapshot of snapshots) {
    const date = snapshot.computedAt.toISOString().slice(0, 10);
    const people = byDate.get(date) ?? new Map<string, Record<string, unknown>>();
    people.set(snapshot.personId, snapshot.state);
    byDate.set(date, people);
  }
  const burnoutTrend: { date: string; avgRisk: number }[] = [];
  const scoreTrend: { date: string; avgScore: number }[] = [];
  for (const date of [...byDate.keys()].sort()) {
    const states = [...(byDate.get(date)?.values() ?? [])];
    const risks = states.map((s) => numberAt(s, "burnoutRisk")).filter((v) => v !== undefined);
    const scores = states.map((s) => numberAt(s, "score")).filter((v) => v !== undefined);
    if (risks.length) burnoutTrend.push({ date, avgRisk: round(mean(risks), 3) });
    if (scores.length) scoreTrend.push({ date, avgScore: round(mean(scores), 1) });
  }
  return { burnoutTrend, scoreTrend };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
