/**
 * Simulated people at work (the behaviour models' digital twin). Each has HIDDEN traits the models never see:
 * a chronotype (peak-hour curve), a planning-fallacy factor per kind of task, a procrastination tendency, a
 * meeting load, a responsiveness to nudges that depends on the hour and on meetings, and an exhaustion level
 * driven by load, after-hours work and missed deadlines. A simulation runs day by day in 15-minute slots and
 * emits the `cairn insights` input contract (person, now, tasks, events, busy) for any moment, plus the truth.
 * Everything is seeded: the same seed gives the same people, days and reactions.
 */
import { DateTime } from "luxon";
import { createRng, type Rng } from "../random.ts";
import { WORK_KINDS } from "./work-vocabulary.ts";

export interface Worker {
  id: number;
  timezone: string;
  /** Local working hours (hours of day, e.g. 9 and 17.5), Monday to Friday. */
  workStart: number;
  workEnd: number;
  /** The hidden peak: focus feels best at this local hour, fading with `peakWidth` hours. */
  peakHour: number;
  peakWidth: number;
  /** Hidden log(actual / estimate) per kind of work (index of WORK_KINDS). */
  kindOverrun: number[];
  taskNoise: number;
  /** 0..1: how late work starts relative to the time available, and how often things get pushed. */
  procrastination: number;
  meetingsPerDay: number;
  tasksPerDay: number;
  /** Share of free working time spent in focus. */
  focusShare: number;
  /** Probability of working late (evenings, weekends) when a deadline is close and work is left. */
  diligence: number;
  nudgeResponsiveness: number;
  exhaustionSensitivity: number;
}

const ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo", "Europe/London"] as const;
const ESTIMATES = [30, 45, 60, 60, 90, 120, 120, 180, 240] as const;
const SLOT = 15;
const MINUTE = 60_000;
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function generateWorker(rng: Rng, id: number): Worker {
  const workStart = rng.pick([8, 8.5, 9, 9, 9.5]);
  const workEnd = workStart + rng.pick([8, 8.5, 8.5, 9]);
  const kind = rng.next();
  const center =
    kind < 0.55 ? 10 + rng.normal() * 0.8 : kind < 0.8 ? 13 + rng.normal() * 0.8 : 15 + rng.normal();
  const personOverrun = rng.normal() * 0.2;
  return {
    id,
    timezone: rng.pick(ZONES),
    workStart,
    workEnd,
    peakHour: Math.min(workEnd - 1, Math.max(workStart + 1, center)),
    peakWidth: 1.3 + rng.next() * 1.2,
    kindOverrun: WORK_KINDS.map((k) => k.logOverrun + personOverrun + rng.normal() * 0.2),
    taskNoise: 0.18 + rng.next() * 0.14,
    procrastination: clamp01(0.35 + rng.normal() * 0.22),
    meetingsPerDay: 0.5 + rng.next() * 4.5,
    tasksPerDay: 0.7 + rng.next() * 1.5,
    focusShare: 0.4 + rng.next() * 0.3,
    diligence: 0.2 + rng.next() * 0.75,
    nudgeResponsiveness: 0.3 + rng.next() * 0.6,
    exhaustionSensitivity: 0.7 + rng.next() * 0.6,
  };
}

export interface SimTaskTruth {
  id: string;
  kind: string;
  title: string;
  tags: string[];
  estimateMinutes: number;
  /** The true work the task takes, in minutes. */
  effortMinutes: number;
  priority: number;
  created: number;
  due: number | null;
  completed: number | null;
  /** Whether the history reports actualMinutes (the rest come from focus events). */
  reportsActual: boolean;
}

export interface SimEvent {
  type: string;
  t: number;
  taskId?: string;
}

export interface Simulation {
  worker: Worker;
  start: number;
  end: number;
  tasks: SimTaskTruth[];
  events: SimEvent[];
  busy: { start: number; end: number }[];
  /** Hidden exhaustion (0..1) at the end of each simulated day, and that moment. */
  exhaustion: { t: number; value: number }[];
}

interface LiveTask extends SimTaskTruth {
  startAfter: number;
  remaining: number;
  started: boolean;
}

function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit && k < 20) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Simulates `days` days from `startDate` (a local date, e.g. "2026-01-05") for this worker. */
export function simulateWorker(worker: Worker, seed: number, startDate: string, days: number): Simulation {
  const rng = createRng(seed);
  const zone = worker.timezone;
  const first = DateTime.fromISO(startDate, { zone }).startOf("day");
  const tasks: LiveTask[] = [];
  const open: LiveTask[] = [];
  const events: SimEvent[] = [];
  const busy: { start: number; end: number }[] = [];
  const exhaustion: { t: number; value: number }[] = [];
  let tired = 0.15 + rng.next() * 0.1;
  let session: { taskId: string; end: number } | null = null;
  const ws = worker.workStart * 4;
  const we = worker.workEnd * 4;

  const closeSession = () => {
    if (!session) return;
    events.push({ type: "focus_ended", t: session.end, taskId: session.taskId });
    events.push({ type: "block_kept", t: session.end, taskId: session.taskId });
    session = null;
  };

  /** Works `minutes` from `t` on the first workable task; returns the minutes worked. */
  const work = (t: number, minutes: number, pool: (task: LiveTask) => boolean): number => {
    let at = t;
    let left = minutes;
    while (left > 0) {
      const task = open
        .filter((k) => k.completed === null && k.created <= at && pool(k))
        .sort(
          (a, b) =>
            (a.due ?? Number.POSITIVE_INFINITY) - (b.due ?? Number.POSITIVE_INFINITY) ||
            a.priority - b.priority ||
            a.created - b.created,
        )[0];
      if (!task) break;
      if (!session || session.taskId !== task.id || session.end !== at) {
        closeSession();
        events.push({ type: "focus_started", t: at, taskId: task.id });
        if (!task.started) events.push({ type: "task_started", t: at, taskId: task.id });
        task.started = true;
        session = { taskId: task.id, end: at };
      }
      const w = Math.min(left, task.remaining);
      task.remaining -= w;
      at += w * MINUTE;
      left -= w;
      session.end = at;
      if (task.remaining <= 1e-9) {
        task.completed = at;
        open.splice(open.indexOf(task), 1);
        closeSession();
        events.push({ type: "task_completed", t: at, taskId: task.id });
      }
    }
    return minutes - left;
  };

  for (let d = 0; d < days; d++) {
    const day = first.plus({ days: d });
    const midnight = day.toMillis();
    const slotAt = (s: number) => midnight + s * SLOT * MINUTE;
    const workday = day.weekday <= 5;
    let focusMinutes = 0;
    let meetingMinutes = 0;
    let afterHours = 0;
    if (workday) {
      for (let n = poisson(rng, worker.tasksPerDay); n > 0; n--) {
        const kindIndex = rng.int(WORK_KINDS.length);
        const kind = WORK_KINDS[kindIndex] ?? WORK_KINDS[0];
        if (!kind) continue;
        const created = slotAt(ws + rng.int(we - ws)) + rng.int(SLOT) * MINUTE;
        const estimate = rng.pick(ESTIMATES);
        const effort = Math.max(
          10,
          Math.round(
            estimate * Math.exp((worker.kindOverrun[kindIndex] ?? 0) + rng.normal() * worker.taskNoise),
          ),
        );
        let due: number | null = null;
        if (rng.next() < 0.85) {
          let dueDay = day.plus({ days: 1 + rng.int(7) });
          while (dueDay.weekday > 5) dueDay = dueDay.plus({ days: 1 });
          due = dueDay.startOf("day").toMillis() + worker.workEnd * 3_600_000;
        }
        const window = (due ?? created + 4 * 86_400_000) - created;
        const startAfter = created + worker.procrastination * (0.2 + 0.8 * rng.next()) * window;
        const id = `w${worker.id}-t${tasks.length + 1}`;
        const live: LiveTask = {
          id,
          kind: kind.name,
          title: `${rng.pick(kind.verbs)} ${rng.pick(kind.objects)}`,
          tags: rng.next() < 0.5 ? [kind.name] : [],
          estimateMinutes: estimate,
          effortMinutes: effort,
          priority: 1 + rng.int(4),
          created,
          due,
          completed: null,
          reportsActual: rng.next() < 0.6,
          startAfter,
          remaining: effort,
          started: false,
        };
        tasks.push(live);
        open.push(live);
        for (let k = 0; k < 3; k++)
          if (rng.next() < worker.procrastination * 0.6)
            events.push({
              type: "task_deferred",
              t: created + rng.next() * Math.max(MINUTE, startAfter - created),
              taskId: id,
            });
      }
      const meeting = new Array<boolean>(96).fill(false);
      const count = Math.max(0, Math.round(worker.meetingsPerDay + rng.normal()));
      for (let m = 0; m < count; m++) {
        const length = rng.pick([2, 2, 4, 4, 6]);
        const s = ws + rng.int(Math.max(1, we - ws - length));
        for (let k = s; k < s + length; k++) meeting[k] = true;
      }
      for (let s = ws; s < we; s++) {
        if (!meeting[s]) continue;
        meetingMinutes += SLOT;
        const last = busy[busy.length - 1];
        if (last && last.end === slotAt(s)) last.end = slotAt(s + 1);
        else busy.push({ start: slotAt(s), end: slotAt(s + 1) });
      }
      const free: { s: number; rank: number }[] = [];
      for (let s = ws; s < we; s++) {
        if (meeting[s]) continue;
        const z = ((s + 0.5) / 4 - worker.peakHour) / worker.peakWidth;
        const gumbel = -Math.log(-Math.log(Math.max(rng.next(), 1e-12)));
        free.push({ s, rank: -z * z + 0.5 * gumbel });
      }
      const take = Math.round(worker.focusShare * (1 - 0.35 * tired) * free.length);
      const chosen = [...free]
        .sort((a, b) => b.rank - a.rank)
        .slice(0, take)
        .map((f) => f.s)
        .sort((a, b) => a - b);
      for (const s of chosen) focusMinutes += work(slotAt(s), SLOT, (k) => k.startAfter <= slotAt(s));
      closeSession();
      const unkept = poisson(rng, 0.2 + 0.6 * worker.procrastination + 0.8 * tired);
      for (let k = 0; k < unkept; k++)
        events.push({
          type: rng.next() < 0.6 ? "block_moved" : "block_deleted",
          t: slotAt(ws + rng.int(we - ws)),
        });
      for (let n = 1 + rng.int(2); n > 0; n--) {
        const s = ws + rng.int(we - ws);
        const nearPeak = Math.abs((s + 0.5) / 4 - worker.peakHour) < 1.5;
        const acted =
          rng.next() <
          worker.nudgeResponsiveness * (meeting[s] ? 0.3 : 1) * (nearPeak ? 1 : 0.7) * (1 - 0.4 * tired);
        events.push({ type: "nudge_sent", t: slotAt(s) });
        events.push({ type: acted ? "nudge_acted" : "nudge_dismissed", t: slotAt(s) + 10 * MINUTE });
      }
    }
    // Crunch: a deadline within about a day with work left pulls the evening (or the weekend) in.
    const horizon = midnight + (workday ? 2 : 3) * 86_400_000;
    const urgent = (k: LiveTask) => k.due !== null && k.due <= horizon && k.remaining > 0;
    if (open.some(urgent) && rng.next() < worker.diligence * (workday ? 1 : 0.5)) {
      const from = workday ? slotAt(we + 8) : slotAt(14 * 4);
      afterHours = work(from, workday ? 60 + 30 * rng.int(5) : 120, urgent);
      closeSession();
    }
    const dayEnd = midnight + 86_400_000;
    const missed = tasks.filter(
      (k) =>
        k.due !== null &&
        k.due > midnight &&
        k.due <= dayEnd &&
        (k.completed ?? Number.POSITIVE_INFINITY) > k.due,
    ).length;
    const workingMinutes = workday ? (we - ws) * SLOT : 0;
    const load = workingMinutes > 0 ? (focusMinutes + meetingMinutes) / workingMinutes : 0;
    const target =
      worker.exhaustionSensitivity *
      (0.45 * clamp01((load - 0.35) / 0.6) + 0.35 * clamp01(afterHours / 150) + 0.2 * clamp01(missed / 1.5));
    tired = clamp01(0.85 * tired + 0.15 * target + rng.normal() * 0.01);
    exhaustion.push({ t: dayEnd, value: tired });
  }
  const end = first.plus({ days }).toMillis();
  return {
    worker,
    start: first.toMillis(),
    end,
    tasks: tasks.map(({ startAfter: _s, remaining: _r, started: _st, ...truth }) => truth),
    events: events.sort((a, b) => a.t - b.t),
    busy,
    exhaustion,
  };
}

/** The `cairn insights` input as the person's history looks at `now` (calendar known `aheadDays` ahead). */
export interface WorkerHistory {
  person: { timezone: string; workingHours: Record<string, { start: string; end: string }[]> };
  now: string;
  tasks: {
    id: string;
    title: string;
    estimateMinutes: number | null;
    due: string | null;
    priority: number;
    tags: string[];
    createdAt: string;
    completedAt: string | null;
    actualMinutes: number | null;
  }[];
  events: { type: string; at: string; taskId?: string }[];
  busy: { start: string; end: string }[];
}

const iso = (t: number) => new Date(Math.round(t)).toISOString();
const clock = (hours: number) =>
  `${String(Math.floor(hours)).padStart(2, "0")}:${String(Math.round((hours % 1) * 60)).padStart(2, "0")}`;

export function historyAt(
  sim: Simulation,
  now: number,
  options: { from?: number; aheadDays?: number } = {},
): WorkerHistory {
  const from = options.from ?? sim.start;
  const ahead = now + (options.aheadDays ?? 14) * 86_400_000;
  const hours = [{ start: clock(sim.worker.workStart), end: clock(sim.worker.workEnd) }];
  const inWindow = (t: number) => t >= from && t <= now;
  const known = new Set(sim.tasks.filter((k) => inWindow(k.created)).map((k) => k.id));
  return {
    person: {
      timezone: sim.worker.timezone,
      workingHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] },
    },
    now: iso(now),
    tasks: sim.tasks
      .filter((k) => inWindow(k.created))
      .map((k) => {
        const done = k.completed !== null && k.completed <= now;
        return {
          id: k.id,
          title: k.title,
          estimateMinutes: k.estimateMinutes,
          due: k.due === null ? null : iso(k.due),
          priority: k.priority,
          tags: k.tags,
          createdAt: iso(k.created),
          completedAt: done ? iso(k.completed ?? now) : null,
          actualMinutes: done && k.reportsActual ? k.effortMinutes : null,
        };
      }),
    events: sim.events
      .filter((e) => inWindow(e.t) && (!e.taskId || known.has(e.taskId)))
      .map((e) =>
        e.taskId ? { type: e.type, at: iso(e.t), taskId: e.taskId } : { type: e.type, at: iso(e.t) },
      ),
    busy: sim.busy
      .filter((b) => b.end > from && b.start < ahead)
      .map((b) => ({ start: iso(b.start), end: iso(b.end) })),
  };
}

/** Hidden exhaustion at `now` (the last day that ended by then). */
export function exhaustionAt(sim: Simulation, now: number): number {
  let value = 0;
  for (const e of sim.exhaustion) if (e.t <= now) value = e.value;
  return value;
}

export interface WorkforceOptions {
  seed: number;
  people: number;
  days: number;
  startDate?: string;
}

/** A seeded group of simulated people, each simulated for `days` days. */
export function simulateWorkforce(options: WorkforceOptions): Simulation[] {
  const rng = createRng(options.seed);
  return Array.from({ length: options.people }, (_, i) => {
    const worker = generateWorker(rng, i);
    return simulateWorker(
      worker,
      options.seed * 7919 + i * 104_729 + 1,
      options.startDate ?? "2026-01-05",
      options.days,
    );
  });
}
