/**
 * Training and evaluation data for the behaviour models: simulated people (models/simulator/workers.ts) seen
 * at chosen moments through exactly the code that serves `cairn insights` (the history as the contract gives
 * it, parsed, then the same work intervals and features), next to the hidden truth of the simulation.
 */
import { exhaustionAt, historyAt, type Simulation } from "../../../models/simulator/workers.ts";
import { type BurnoutSignals, burnoutSignals } from "../burnout.ts";
import { type EffortSample, effortSamples, minutesPerTask, taskTokens } from "../effort.ts";
import { DAY, type Interval, minutesByLocalHour, workIntervals } from "../history.ts";
import { MIN_COMPLETED_TASKS, MIN_HISTORY_DAYS } from "../insights-from-history.ts";
import { type InsightsInput, parseInsightsInput } from "../insights-input.ts";
import { workingHourMask } from "../peak-hours.ts";
import { procrastination } from "../procrastination.ts";
import { score } from "../score.ts";

export interface OpenTaskTruth {
  taskId: string;
  tokens: string[];
  estimateMinutes: number;
  /** The true work the task takes (known from the simulation once it is finished). */
  actualMinutes: number | null;
}

export interface Snapshot {
  person: number;
  now: number;
  input: InsightsInput;
  work: Interval[];
  personal: boolean;
  /** Work minutes per local hour and which hours are working hours (for peak hours). */
  hourMinutes: number[];
  workingMask: boolean[];
  hiddenPeakHour: number;
  samples: EffortSample[];
  openTasks: OpenTaskTruth[];
  /** Due tasks open at `now`: whether each was done by its due time in the simulation (when knowable). */
  doneByDue: Map<string, boolean>;
  procrastinationIndex: number;
  hiddenProcrastination: number;
  burnout: BurnoutSignals;
  hiddenExhaustion: number;
  scoreValue: number;
  /** Share of the tasks due in the next 7 days that the simulated person finished by their due time. */
  nextWeekOnTime: number | null;
}

/** The rule insights-from-history uses for a personal answer. */
function isPersonal(input: InsightsInput): boolean {
  const now = Date.parse(input.now);
  const first = input.events.map((e) => Date.parse(e.at)).reduce((a, b) => Math.min(a, b), now);
  const completed = input.tasks.filter((t) => t.completedAt && Date.parse(t.completedAt) <= now).length;
  return (now - first) / DAY >= MIN_HISTORY_DAYS && completed >= MIN_COMPLETED_TASKS;
}

/** The person as seen `day` days (and `hour` local hours) after the simulation started. */
export function snapshotAt(sim: Simulation, day: number, hour = 11): Snapshot {
  const now = sim.start + day * DAY + hour * 3_600_000;
  const input = parseInsightsInput(historyAt(sim, now));
  const work = workIntervals(input);
  const personal = isPersonal(input);
  const byId = new Map(sim.tasks.map((t) => [t.id, t]));
  const openTasks: OpenTaskTruth[] = [];
  const doneByDue = new Map<string, boolean>();
  for (const t of input.tasks) {
    if (t.completedAt) continue;
    const truth = byId.get(t.id);
    if (!truth) continue;
    openTasks.push({
      taskId: t.id,
      tokens: taskTokens(t),
      estimateMinutes: t.estimateMinutes ?? 0,
      actualMinutes: truth.completed !== null ? truth.effortMinutes : null,
    });
    if (truth.due !== null && truth.due > now && truth.due <= sim.end)
      doneByDue.set(t.id, truth.completed !== null && truth.completed <= truth.due);
  }
  const nextWeek = sim.tasks.filter((t) => t.due !== null && t.due > now && t.due <= now + 7 * DAY);
  return {
    person: sim.worker.id,
    now,
    input,
    work,
    personal,
    hourMinutes: minutesByLocalHour(work, input.person.timezone),
    workingMask: workingHourMask(input.person.workingHours),
    hiddenPeakHour: sim.worker.peakHour,
    samples: personal ? effortSamples(input.tasks, minutesPerTask(work)) : [],
    openTasks,
    doneByDue,
    procrastinationIndex: procrastination(input, personal).index,
    hiddenProcrastination: sim.worker.procrastination,
    burnout: burnoutSignals(input, work, personal),
    hiddenExhaustion: exhaustionAt(sim, now),
    scoreValue: score(input, work).value,
    nextWeekOnTime: nextWeek.length
      ? nextWeek.filter((t) => t.completed !== null && t.completed <= (t.due ?? 0)).length / nextWeek.length
      : null,
  };
}
