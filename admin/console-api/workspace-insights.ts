/**
 * The workspace's insights for admins, aggregated so no one person's numbers show: kept focus by
 * weekday and local hour, and the daily average burnout risk, score and effort multiplier.
 *
 * Each person's figures come from their latest stored snapshot (engine/behavior/insights-snapshots.ts, kept
 * fresh by a background job), so a view costs a few reads however many people there are. Only people with
 * no figures yet are computed during the view, at most LIVE_BUDGET of them; the rest, and anyone whose
 * figures are older than SNAPSHOT_FRESH_MS, are left to a refresh the view asks the job for. The answer
 * says how old the figures are.
 */
import { FixedOffsetZone, IANAZone, type Zone } from "luxon";
import { InsightsWithBehavior } from "../../engine/behavior/insights.ts";
import {
  figuresOf,
  requestRefresh,
  SNAPSHOT_FRESH_MS,
  type SnapshotFigures,
  storedFigures,
} from "../../engine/behavior/insights-snapshots.ts";
import {
  type KeptFocus,
  keptFocusSince,
  type StateSnapshot,
  stateSnapshotsSince,
} from "../../engine/db/repositories/console-views.ts";
import { latestSnapshotsByPerson, saveSnapshot } from "../../engine/db/repositories/user-states.ts";
import type { Person } from "../../engine/domain.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ConsoleSession } from "../auth/sessions.ts";

const HEATMAP_WEEKS = 8;
const TREND_DAYS = 30;
/** People with no stored figures computed during one view at most (each runs the behaviour models). */
export const LIVE_BUDGET = 3;

const Figures = InsightsWithBehavior.pick({ basis: true, burnout: true, score: true, effort: true });

export interface Freshness {
  /** When the oldest figures in the aggregate were computed (null: nobody has figures yet). */
  asOf: string | null;
  /** When the newest were. */
  newest: string | null;
  /** People whose figures this view computed (they had none yet). */
  computedNow: number;
  /** People left out for now: no figures yet and over this view's budget; a refresh is on its way. */
  pending: number;
  /** People whose figures are older than freshForMinutes; a refresh is on its way. */
  stale: number;
  freshForMinutes: number;
}

/**
 * The aggregate over everyone in the session's workspace; with `alongside` (a person the admin asked for),
 * also that person's own get_insights answer, whose figures stand in for theirs when none are stored yet.
 */
export async function workspaceInsights(engine: Engine, session: ConsoleSession, alongside?: Person) {
  const { services } = engine;
  const workspace = session.workspace;
  const now = services.now();
  const latest = await services.db.scoped(workspace.id, (tx) => latestSnapshotsByPerson(tx));
  const alongsideInsights =
    alongside && (await engine.call({ workspace, person: alongside }, "http", "get_insights", {}));
  const figures: SnapshotFigures[] = [];
  const times: number[] = [];
  const computed: { personId: string; figures: SnapshotFigures }[] = [];
  let pending = 0;
  let stale = 0;
  for (const { person, computedAt, state } of latest) {
    const stored = state && storedFigures(state);
    if (stored && computedAt) {
      figures.push(stored);
      times.push(computedAt.getTime());
      if (now.getTime() - computedAt.getTime() > SNAPSHOT_FRESH_MS) stale += 1;
      continue;
    }
    let answer: unknown;
    if (person.id === alongside?.id) answer = alongsideInsights;
    else if (computed.length < LIVE_BUDGET)
      answer = await engine.call({ workspace, person }, "http", "get_insights", {});
    else {
      pending += 1;
      continue;
    }
    const live = figuresOf(Figures.parse(answer));
    computed.push({ personId: person.id, figures: live });
    figures.push(live);
    times.push(now.getTime());
  }
  // One transaction for the computed figures and the reads, not one per person.
  const { kept, snapshots } = await services.db.scoped(workspace.id, async (tx) => {
    for (const entry of computed) {
      await saveSnapshot(tx, {
        workspaceId: workspace.id,
        personId: entry.personId,
        computedAt: now,
        state: { ...entry.figures },
      });
    }
    return {
      kept: await keptFocusSince(tx, new Date(now.getTime() - HEATMAP_WEEKS * 7 * 86_400_000)),
      snapshots: await stateSnapshotsSince(tx, new Date(now.getTime() - TREND_DAYS * 86_400_000)),
    };
  });
  if (pending + stale > 0) {
    await requestRefresh(services, workspace.id).catch((error: unknown) =>
      services.log.warn({ err: error, workspaceId: workspace.id }, "insights: could not ask for a refresh"),
    );
  }
  const multipliers = figures
    .filter((f) => f.basis === "personal" && f.effortMultiplier !== null)
    .map((f) => f.effortMultiplier as number);
  const medianMultiplier = median(multipliers);
  const freshness: Freshness = {
    asOf: times.length ? new Date(Math.min(...times)).toISOString() : null,
    newest: times.length ? new Date(Math.max(...times)).toISOString() : null,
    computedNow: computed.length,
    pending,
    stale,
    freshForMinutes: SNAPSHOT_FRESH_MS / 60_000,
  };
  return {
    people: latest.length,
    peakHeatmap: focusHeatmap(kept),
    ...dailyTrends(snapshots),
    effort: {
      medianMultiplier: medianMultiplier === null ? null : Number(medianMultiplier.toFixed(2)),
      people: multipliers.length,
    },
    freshness,
    ...(alongside && { person: alongsideInsights }),
  };
}

const HOUR = 3_600_000;

/** A zone's offset (minutes) at an instant; an unknown zone counts as UTC. One zone object per name. */
function offsetsOf(): (timezone: string, at: number) => number {
  const zones = new Map<string, Zone>();
  return (timezone, at) => {
    let zone = zones.get(timezone);
    if (!zone) {
      zone = IANAZone.isValidZone(timezone) ? IANAZone.create(timezone) : FixedOffsetZone.utcInstance;
      zones.set(timezone, zone);
    }
    return zone.offset(at);
  };
}

/**
 * 7 rows (0 = Monday) of 24 local hours: minutes of kept focus. Local hours by arithmetic on the zone's
 * offset (a workspace has thousands of blocks: a luxon DateTime per hour cost more than the reads); the
 * offset is looked up again at every hour only in a block whose start and end offsets differ (a DST change).
 */
export function focusHeatmap(blocks: readonly KeptFocus[]): number[][] {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  const offsetAt = offsetsOf();
  for (const block of blocks) {
    let at = block.startAt.getTime();
    const end = block.endAt.getTime();
    if (!(at < end)) continue;
    const startOffset = offsetAt(block.timezone, at);
    const steady = startOffset === offsetAt(block.timezone, end);
    while (at < end) {
      const offset = (steady ? startOffset : offsetAt(block.timezone, at)) * 60_000;
      const local = at + offset;
      const hourEnd = Math.min(Math.floor(local / HOUR) * HOUR + HOUR - offset, end);
      const day = new Date(local);
      const row = grid[(day.getUTCDay() + 6) % 7] as number[];
      const hour = day.getUTCHours();
      row[hour] = (row[hour] as number) + (hourEnd - at) / 60_000;
      at = hourEnd;
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
