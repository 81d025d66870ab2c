/**
 * Serving and online learning of the per-person slot-preference model (models/bandit.ts) inside the engine.
 * State lives in slot_preference_state: sufficient statistics per person plus one pooled row per workspace.
 * The planner gets a Thompson-sampled linear score through PlanOptions.slotPreference, weighted up as the
 * person's own feedback accumulates (a person without feedback gets the unchanged planner).
 */

import { DateTime } from "luxon";
import {
  emptyStats,
  observe,
  personBelief,
  populationBelief,
  type SufficientStats,
  sampleTheta,
  scoreFeatures,
} from "../../../models/bandit.ts";
import { type BlockOutcome, MOVED_TO_REWARD, OUTCOME_REWARD } from "../../../models/feedback.ts";
import { createRng } from "../../../models/random.ts";
import {
  FEATURE_COUNT,
  FEATURE_VERSION,
  type SlotContext,
  slotFeatures,
} from "../../../models/slot-features.ts";
import { SLOT_PREFERENCE_PRIOR } from "../../../models/slot-preference-prior.ts";
import type { Queryable } from "../../db/port.ts";
import { iso } from "../../db/repositories/plans.ts";
import {
  loadSlotPreferenceRows,
  lockSlotPreferences,
  type SlotPreferenceRow,
  saveSlotPreferenceStats,
} from "../../db/repositories/slot-preferences.ts";
import { WEEKDAYS } from "../../domain.ts";
import type { BusyEvent, PlanTask } from "../input/plan-input.ts";
import type { PlanningProfile } from "../input/profile.ts";
import type { SlotPreference } from "../solver/preference-pass.ts";

/** Conservative exploration: the Thompson draw uses this share of the posterior spread. */
export const EXPLORATION_SCALE = 0.2;
/** Observations at which the learned term reaches half its full weight in the planner. */
export const HALF_WEIGHT_OBSERVATIONS = 5;
/** Full weight of the learned term, in secondary-cost minutes per unit of predicted keep rate. */
export const FULL_PREFERENCE_WEIGHT = 60;

export interface LearnerState {
  person: SufficientStats;
  pooled: SufficientStats;
  implicitUntil: string | null;
}

function statsFromRow(row: SlotPreferenceRow | undefined): SufficientStats {
  if (!row || row.feature_version !== FEATURE_VERSION) return emptyStats(FEATURE_COUNT);
  const parse = (v: unknown): number[] =>
    typeof v === "string" ? (JSON.parse(v) as number[]) : (v as number[]);
  const xtx = parse(row.xtx);
  const xtr = parse(row.xtr);
  if (xtx.length !== FEATURE_COUNT * FEATURE_COUNT || xtr.length !== FEATURE_COUNT)
    return emptyStats(FEATURE_COUNT);
  return { n: row.observations, xtx: Float64Array.from(xtx), xtr: Float64Array.from(xtr) };
}

export async function loadLearnerState(tx: Queryable, personId: string): Promise<LearnerState> {
  const rows = await loadSlotPreferenceRows(tx, personId);
  const own = rows.find((row) => row.person_id === personId);
  const pooled = rows.find((row) => row.person_id === null);
  return {
    person: statsFromRow(own),
    pooled: statsFromRow(pooled),
    implicitUntil: own?.implicit_until ? iso(own.implicit_until) : null,
  };
}

async function saveStats(
  tx: Queryable,
  workspaceId: string,
  personId: string | null,
  stats: SufficientStats,
  implicitUntil?: string | null,
): Promise<void> {
  await saveSlotPreferenceStats(tx, {
    workspaceId,
    personId,
    featureVersion: FEATURE_VERSION,
    observations: stats.n,
    xtx: Array.from(stats.xtx),
    xtr: Array.from(stats.xtr),
    implicitUntil,
  });
}

export interface SlotObservation {
  context: SlotContext;
  reward: number;
}

/** Adds observations to the person's and the workspace's pooled statistics. */
export async function recordSlotObservations(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  observations: readonly SlotObservation[],
  implicitUntil?: string,
): Promise<void> {
  if (observations.length === 0 && !implicitUntil) return;
  await lockSlotPreferences(tx, workspaceId);
  const state = await loadLearnerState(tx, personId);
  const x = new Float64Array(FEATURE_COUNT);
  for (const observation of observations) {
    slotFeatures(observation.context, x);
    observe(state.person, x, observation.reward);
    observe(state.pooled, x, observation.reward);
  }
  await saveStats(tx, workspaceId, personId, state.person, implicitUntil);
  if (observations.length > 0) await saveStats(tx, workspaceId, null, state.pooled);
}

export const rewardOf = (outcome: BlockOutcome): number => OUTCOME_REWARD[outcome];
export const MOVED_TO = MOVED_TO_REWARD;

/** Describes a candidate block the way the model sees it (local wall clock, meetings around it). */
export class SlotDescriber {
  readonly #zone: string;
  readonly #peak: ReadonlyArray<readonly [number, number]>;
  readonly #noMeetingDays: Set<number>;
  readonly #busy: Array<[number, number]>;
  readonly #local = new Map<number, { minute: number; weekday: number; day: string }>();

  constructor(profile: PlanningProfile, busy: readonly BusyEvent[]) {
    this.#zone = profile.timezone;
    this.#peak = profile.peakHours;
    this.#noMeetingDays = new Set(profile.noMeetingDays.map((d) => WEEKDAYS.indexOf(d) + 1));
    const spans = busy
      .filter((b) => !b.id?.startsWith("block:"))
      .map((b): [number, number] => [Date.parse(b.start), Date.parse(b.end)])
      .sort((a, b) => a[0] - b[0]);
    // Merged, so both starts and ends are sorted and a binary search finds the neighbours of a block.
    this.#busy = [];
    for (const span of spans) {
      const last = this.#busy[this.#busy.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else this.#busy.push([span[0], span[1]]);
    }
  }

  /** Index of the first merged busy span starting at or after `ms`. */
  #firstStartingAtOrAfter(ms: number): number {
    let lo = 0;
    let hi = this.#busy.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#busy[mid]?.[0] ?? 0) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #localOf(ms: number) {
    let value = this.#local.get(ms);
    if (!value) {
      const local = DateTime.fromMillis(ms, { zone: this.#zone });
      value = {
        minute: local.hour * 60 + local.minute,
        weekday: local.weekday,
        day: local.toISODate() ?? "",
      };
      this.#local.set(ms, value);
    }
    return value;
  }

  describe(
    task: { energy?: string | null; due?: string | null },
    startMs: number,
    endMs: number,
  ): SlotContext {
    const start = this.#localOf(startMs);
    const duration = Math.round((endMs - startMs) / 60_000);
    const from = start.minute;
    const to = from + duration;
    let peakMinutes = 0;
    for (const [a, b] of this.#peak)
      peakMinutes += Math.max(0, Math.min(to, b * 60) - Math.max(from, a * 60));
    let after: number | null = null;
    let before: number | null = null;
    const next = this.#busy[this.#firstStartingAtOrAfter(endMs)];
    if (next && this.#localOf(next[0]).day === start.day) before = (next[0] - endMs) / 60_000;
    // The last span ending at or before the start: spans are disjoint, so it precedes the first one after.
    const previous = this.#busy[this.#firstStartingAtOrAfter(startMs) - 1];
    if (previous && previous[1] <= startMs && this.#localOf(previous[1]).day === start.day) {
      after = (startMs - previous[1]) / 60_000;
    }
    const energy = task.energy === "high" || task.energy === "low" ? task.energy : "medium";
    return {
      startMinuteOfDay: from,
      weekday: start.weekday,
      durationMinutes: duration,
      taskEnergy: energy,
      inPeak: peakMinutes * 2 >= duration,
      minutesToDeadline: task.due ? (Date.parse(task.due) - endMs) / 60_000 : null,
      minutesAfterMeeting: after,
      minutesBeforeMeeting: before,
      noMeetingDay: this.#noMeetingDays.has(start.weekday),
    };
  }
}

export interface ServedPreference {
  slotPreference?: SlotPreference;
  weight: number;
  observations: number;
}

/**
 * The learned slot score for one planning run: one Thompson draw (seeded) from the person's belief, scored
 * in plain TS (measured faster than onnxruntime for this size: see BENCHMARKS.md "Learning").
 */
export function servePreference(
  state: LearnerState,
  profile: PlanningProfile,
  busy: readonly BusyEvent[],
  seed: number,
): ServedPreference {
  const n = state.person.n;
  if (n === 0) return { weight: 0, observations: 0 };
  const population = populationBelief(SLOT_PREFERENCE_PRIOR, state.pooled);
  const belief = personBelief(SLOT_PREFERENCE_PRIOR, population, state.person);
  const theta = sampleTheta(belief, createRng(seed), EXPLORATION_SCALE);
  const describer = new SlotDescriber(profile, busy);
  const x = new Float64Array(FEATURE_COUNT);
  const slotPreference: SlotPreference = (task: PlanTask, startMs, endMs) =>
    scoreFeatures(theta, slotFeatures(describer.describe(task, startMs, endMs), x));
  return {
    slotPreference,
    weight: (FULL_PREFERENCE_WEIGHT * n) / (n + HALF_WEIGHT_OBSERVATIONS),
    observations: n,
  };
}
