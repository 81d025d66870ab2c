/**
 * Simulated people with HIDDEN slot preferences (the ground truth the models never see) and their reactions
 * to offered focus blocks. Everything is seeded: the same seed gives the same people, weeks and reactions.
 */
import type { BlockOutcome } from "../feedback.ts";
import { createRng, type Rng } from "../random.ts";
import type { SlotContext } from "../slot-features.ts";

export interface SimPerson {
  id: number;
  /** Hour of day (local) at which focus work feels best. */
  chronoCenter: number;
  /** How quickly that feeling fades away from the centre, in hours. */
  chronoWidth: number;
  mondayMorningDislike: number;
  fridayAfternoonDislike: number;
  /** Dislike of blocks right before or after a meeting. */
  meetingAdjacencyDislike: number;
  /** > 0 likes long blocks, < 0 likes short ones (per hour beyond 60 minutes). */
  lengthPreference: number;
  /** Extra weight of the time-of-day fit for high-energy work. */
  energyCare: number;
  /** Keep probability = sigmoid(sharpness · (utility + noise − threshold)). */
  threshold: number;
  sharpness: number;
  noise: number;
  /** Share of rejected blocks that get moved (the rest are deleted). */
  moveShare: number;
  workStart: number;
  workEnd: number;
  meetingsPerDay: number;
}

export interface SimTask {
  energy: SlotContext["taskEnergy"];
  durationMinutes: number;
  /** Minutes from the start of the week; null: no deadline. */
  dueMinute: number | null;
}

/** One block to place: the task and every feasible slot in the week (ordered by start time). */
export interface SimDecision {
  task: SimTask;
  candidates: SlotContext[];
  /** Minutes from the start of the week at which each candidate starts (parallel to `candidates`). */
  startMinutes: number[];
}

export interface SimReaction {
  outcome: BlockOutcome;
  /** Index of the candidate the person moved the block to, when moved. */
  movedTo: number | null;
}

/** Declared peak hours Cairn assumes when a person never set any (the product default). */
export const DEFAULT_PEAK: readonly [number, number] = [9, 12];

export function generatePerson(rng: Rng, id: number): SimPerson {
  const kind = rng.next();
  const chronoCenter =
    kind < 0.55
      ? 9.5 + rng.normal() * 0.7
      : kind < 0.85
        ? 13.5 + rng.normal() * 0.8
        : 16 + rng.normal() * 0.6;
  const workStart = rng.pick([7.5, 8, 8.5, 9, 9, 9.5]);
  return {
    id,
    chronoCenter,
    chronoWidth: 1.6 + rng.next() * 1.6,
    mondayMorningDislike: Math.max(0, 0.4 + rng.normal() * 0.5),
    fridayAfternoonDislike: Math.max(0, 0.5 + rng.normal() * 0.5),
    meetingAdjacencyDislike: 0.3 + rng.normal() * 0.4,
    lengthPreference: rng.normal() * 0.35,
    energyCare: 0.3 + rng.next() * 0.9,
    threshold: -0.9 + rng.normal() * 0.3,
    sharpness: 2 + rng.next() * 1.5,
    noise: 0.4 + rng.next() * 0.3,
    moveShare: 0.5 + rng.next() * 0.3,
    workStart,
    workEnd: workStart + rng.pick([8, 8, 8.5, 9]),
    meetingsPerDay: 1 + rng.int(5),
  };
}

/** The hidden utility of a slot for this person (the oracle's score). */
export function trueUtility(person: SimPerson, slot: SlotContext): number {
  const mid = (slot.startMinuteOfDay + slot.durationMinutes / 2) / 60;
  const distance = (mid - person.chronoCenter) / person.chronoWidth;
  const energyWeight =
    slot.taskEnergy === "high" ? 1 + person.energyCare : slot.taskEnergy === "low" ? 0.6 : 1;
  let u = -1.1 * energyWeight * distance * distance;
  const start = slot.startMinuteOfDay / 60;
  if (slot.weekday === 1 && start < 12) u -= person.mondayMorningDislike;
  if (slot.weekday === 5 && start >= 13) u -= person.fridayAfternoonDislike;
  const adjacent =
    (slot.minutesAfterMeeting !== null && slot.minutesAfterMeeting <= 15) ||
    (slot.minutesBeforeMeeting !== null && slot.minutesBeforeMeeting <= 15);
  if (adjacent) u -= person.meetingAdjacencyDislike;
  u += (person.lengthPreference * (slot.durationMinutes - 60)) / 60;
  if (slot.minutesToDeadline !== null && slot.minutesToDeadline < 0) u -= 1.5;
  return u;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Probability the person keeps this block (noise integrated out approximately). */
export function keepProbability(person: SimPerson, slot: SlotContext): number {
  const spread = Math.sqrt(1 + (Math.PI * (person.sharpness * person.noise) ** 2) / 8);
  return sigmoid((person.sharpness * (trueUtility(person, slot) - person.threshold)) / spread);
}

/** How the person reacts to the block offered at `chosen`. */
export function react(rng: Rng, person: SimPerson, decision: SimDecision, chosen: number): SimReaction {
  const slot = decision.candidates[chosen];
  if (!slot) throw new Error(`no candidate ${chosen}`);
  const u = trueUtility(person, slot) + rng.normal() * person.noise;
  if (rng.next() < sigmoid(person.sharpness * (u - person.threshold))) {
    const late = rng.next() < 0.15;
    return { outcome: late ? "completed_late" : rng.next() < 0.5 ? "completed" : "kept", movedTo: null };
  }
  if (rng.next() < person.moveShare) {
    // The person drags it to a slot they like: a noisy (Gumbel) argmax of their utility.
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    decision.candidates.forEach((candidate, i) => {
      const gumbel = -Math.log(-Math.log(Math.max(rng.next(), 1e-12)));
      const value = trueUtility(person, candidate) * 3 + gumbel;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    return { outcome: "moved", movedTo: best };
  }
  return { outcome: "deleted", movedTo: null };
}

interface Meeting {
  day: number;
  start: number;
  end: number;
}

function weekMeetings(rng: Rng, person: SimPerson): Meeting[] {
  const meetings: Meeting[] = [];
  for (let day = 0; day < 5; day++) {
    const count = Math.max(0, person.meetingsPerDay + rng.int(3) - 1);
    for (let k = 0; k < count; k++) {
      const length = rng.pick([30, 30, 45, 60, 60, 90]);
      const span = (person.workEnd - person.workStart) * 60 - length;
      const start = person.workStart * 60 + Math.floor((rng.next() * span) / 15) * 15;
      meetings.push({ day, start, end: start + length });
    }
  }
  return meetings;
}

const DAY = 24 * 60;
const BUFFER = 10;

/**
 * One week of decisions for a person: meetings are drawn first, then `blocks` tasks, each with every feasible
 * 30-minute-aligned start inside working hours (Mon–Fri) that avoids meetings widened by a 10-minute buffer and
 * ends before the deadline when possible.
 */
export function generateWeek(rng: Rng, person: SimPerson, blocks: number): SimDecision[] {
  const meetings = weekMeetings(rng, person);
  const decisions: SimDecision[] = [];
  for (let b = 0; b < blocks; b++) {
    const roll = rng.next();
    const task: SimTask = {
      energy: roll < 0.3 ? "high" : roll < 0.75 ? "medium" : "low",
      durationMinutes: rng.pick([30, 45, 60, 60, 90, 120]),
      dueMinute: rng.next() < 0.4 ? null : DAY * (1 + rng.int(6)) + 17 * 60,
    };
    const all: Array<{ slot: SlotContext; start: number }> = [];
    for (let day = 0; day < 5; day++) {
      const dayMeetings = meetings.filter((m) => m.day === day);
      for (let start = Math.ceil((person.workStart * 60) / 30) * 30; ; start += 30) {
        const end = start + task.durationMinutes;
        if (end > person.workEnd * 60) break;
        if (dayMeetings.some((m) => start < m.end + BUFFER && end > m.start - BUFFER)) continue;
        const before = dayMeetings.filter((m) => m.end <= start).map((m) => start - m.end);
        const after = dayMeetings.filter((m) => m.start >= end).map((m) => m.start - end);
        const absolute = day * DAY + start;
        const peakMinutes = Math.max(
          0,
          Math.min(end, DEFAULT_PEAK[1] * 60) - Math.max(start, DEFAULT_PEAK[0] * 60),
        );
        all.push({
          start: absolute,
          slot: {
            startMinuteOfDay: start,
            weekday: day + 1,
            durationMinutes: task.durationMinutes,
            taskEnergy: task.energy,
            inPeak: peakMinutes * 2 >= task.durationMinutes,
            minutesToDeadline:
              task.dueMinute === null ? null : task.dueMinute - (absolute + task.durationMinutes),
            minutesAfterMeeting: before.length ? Math.min(...before) : null,
            minutesBeforeMeeting: after.length ? Math.min(...after) : null,
            noMeetingDay: dayMeetings.length === 0,
          },
        });
      }
    }
    const inTime = all.filter((c) => c.slot.minutesToDeadline === null || c.slot.minutesToDeadline >= 0);
    const chosen = inTime.length > 0 ? inTime : all;
    if (chosen.length === 0) continue;
    decisions.push({ task, candidates: chosen.map((c) => c.slot), startMinutes: chosen.map((c) => c.start) });
  }
  return decisions;
}

export interface CohortOptions {
  seed: number;
  people: number;
}

/** A seeded cohort of people. */
export function generateCohort(options: CohortOptions): SimPerson[] {
  const rng = createRng(options.seed);
  return Array.from({ length: options.people }, (_, i) => generatePerson(rng, i));
}
