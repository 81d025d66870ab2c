/**
 * Planner bench: `node --import tsx test/bench/planner/run.ts [--scenarios 32] [--repeats 7] [--exact-seconds 8]
 * [--suite generated|independent] [--faithful-seconds 60] [--faithful-max-tasks 30]` (the independent suite comes
 * from a second generator with another distribution). The relaxed model (solveExact) gives the lower bound; on
 * scenarios with at most --faithful-max-tasks tasks the faithful model (solveExactBlocks, started from the
 * planner's plan) gives the true optimum where it proves one (--faithful-seconds 0 turns it off).
 * Progress per scenario on stderr, a JSON summary on stdout.
 */
import { parseArgs } from "node:util";
import {
  buildPlanModel,
  checkHardRules,
  evaluatePlan,
  lateTaskLowerBound,
  parsePlanInput,
  planEdfBaseline,
  planSchedule,
  solveExact,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import { solveExactBlocks } from "../../../engine/scheduling/solver/exact-blocks.ts";
import { tardinessLowerBound } from "../../../engine/scheduling/solver/tardiness-bound.ts";
import { type PlanScore, scenarioSuite, scorePlan } from "./scorer.ts";

const { values } = parseArgs({
  options: {
    scenarios: { type: "string", default: "32" },
    repeats: { type: "string", default: "7" },
    seed: { type: "string", default: "2026" },
    "exact-seconds": { type: "string", default: "8" },
    suite: { type: "string", default: "generated" },
    "faithful-seconds": { type: "string", default: "60" },
    "faithful-max-tasks": { type: "string", default: "30" },
  },
});
const count = Number(values.scenarios);
const repeats = Number(values.repeats);
const exactSeconds = Number(values["exact-seconds"]);
const faithfulSeconds = Number(values["faithful-seconds"]);
const faithfulMaxTasks = Number(values["faithful-max-tasks"]);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? 0;
}
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface Row {
  name: string;
  tasks: number;
  days: number;
  heuristic: PlanScore;
  edf: PlanScore;
  lowerBound: {
    weightedTardiness: number;
    lateTasks: number | null;
    /** Moore–Hodgson's bound alone. */
    lateTasksMooreHodgson: number;
    optimal: boolean;
    mode: string;
    status: string;
    /**
     * solver/tardiness-bound.ts (each task's chain alone + its work spread over free time, one LP, on a 1-minute
     * grid), and the larger of the two bounds.
     */
    chainAndSpread: number;
    best: number;
  };
  /** The faithful model (real plans on the planner's grid), on small scenarios only. */
  faithful: {
    /** Weighted tardiness of its best plan (the optimum when proved), null when it found none. */
    weightedTardiness: number | null;
    bound: number;
    proved: boolean;
    status: string;
    runtimeMs: number;
    /** Whether HiGHS took the planner's plan as its starting point. */
    startAccepted: boolean;
    /** Hard-rule violations of its plan (independent checker): 0, or the model is wrong. */
    violations: number;
    /** Planner's weighted tardiness over the proved optimum − 1 (null unless proved). */
    plannerGap: number | null;
  } | null;
  runtimesMs: number[];
  /** CPU time of each run (user + system), which machine load inflates far less than wall time. */
  cpuMs: number[];
  evaluations: number;
}

const rows: Row[] = [];
const allRuntimes: number[] = [];
const bigRuntimes: number[] = [];
const bigCpu: number[] = [];
const scenarios = scenarioSuite(values.suite, count, Number(values.seed));
const benchStart = performance.now();

for (const scenario of scenarios) {
  const input = scenario.input;
  const parsed = parsePlanInput(input);
  const days = Math.round((Date.parse(parsed.horizon.end) - Date.parse(parsed.horizon.start)) / 86_400_000);

  const runtimes: number[] = [];
  const cpu: number[] = [];
  let output = planSchedule(input);
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    output = planSchedule(input);
    const used = process.cpuUsage(c0);
    runtimes.push(output.metrics.runtimeMs);
    cpu.push((used.user + used.system) / 1000);
  }
  runtimes.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  allRuntimes.push(...runtimes);
  if (parsed.tasks.length >= 70 && days >= 14) {
    bigRuntimes.push(...runtimes);
    bigCpu.push(...cpu);
  }
  const heuristic = scorePlan(input, output, percentile(runtimes, 50));

  const t1 = performance.now();
  const model = buildPlanModel(parsed);
  const edfOutput = toPlanOutput(model, planEdfBaseline(model), t1);
  const edf = scorePlan(input, edfOutput, performance.now() - t1);

  const wtBound = await solveExact(input, { timeLimitSeconds: exactSeconds });
  const chainAndSpread = (await tardinessLowerBound(buildPlanModel(parsed, { granularityMinutes: 1 })))
    .combined;
  const bestBound = Math.max(wtBound.lowerBound, chainAndSpread);
  let lateBound: number | null = null;
  // A tardiness bound of 0 only proves 0 late tasks when it is the proven optimum of the integer model.
  if (wtBound.optimal && wtBound.mode === "milp" && wtBound.lowerBound <= 1e-6) lateBound = 0;
  else if (parsed.tasks.length <= 30) {
    lateBound = (await solveExact(input, { timeLimitSeconds: exactSeconds, objective: "lateTasks" }))
      .lowerBound;
  }
  // Moore–Hodgson on the work curve bounds the late count of every scenario (a relaxation, see late-bound.ts).
  const mooreHodgsonBound = lateTaskLowerBound(model);
  let faithful: Row["faithful"] = null;
  if (faithfulSeconds > 0 && parsed.tasks.length <= faithfulMaxTasks) {
    const exact = await solveExactBlocks(input, {
      timeLimitSeconds: faithfulSeconds,
      start: output,
      atLeast: bestBound,
    });
    const wt = exact.weightedTardiness;
    const violations = exact.plan ? checkHardRules(input, exact.plan).length : 0;
    const checkedWt = exact.plan ? evaluatePlan(parsed, exact.plan.blocks).weightedTardiness : null;
    if (checkedWt !== null && wt !== null && Math.abs(checkedWt - wt) > 1e-6) {
      throw new Error(`${scenario.name}: the faithful plan scores ${checkedWt}, the model says ${wt}`);
    }
    faithful = {
      weightedTardiness: wt,
      bound: round(exact.bound),
      proved: exact.optimal,
      status: exact.status,
      runtimeMs: exact.runtimeMs,
      startAccepted: exact.startAccepted,
      violations,
      plannerGap:
        exact.optimal && wt !== null
          ? wt > 0
            ? round(heuristic.weightedTardiness / wt - 1, 4)
            : heuristic.weightedTardiness > 0
              ? Number.POSITIVE_INFINITY
              : 0
          : null,
    };
  }
  lateBound = Math.max(lateBound ?? 0, mooreHodgsonBound);
  const row: Row = {
    name: scenario.name,
    tasks: parsed.tasks.length,
    days,
    heuristic,
    edf,
    lowerBound: {
      weightedTardiness: round(wtBound.lowerBound),
      lateTasks: lateBound,
      lateTasksMooreHodgson: mooreHodgsonBound,
      optimal: wtBound.optimal,
      mode: wtBound.mode,
      status: wtBound.status,
      chainAndSpread,
      best: round(bestBound),
    },
    faithful,
    runtimesMs: runtimes.map((r) => round(r)),
    cpuMs: cpu.map((r) => round(r)),
    evaluations: output.metrics.search?.evaluations ?? 0,
  };
  rows.push(row);
  process.stderr.write(
    `${scenario.name}: violations ${heuristic.violations}/${edf.violations} · WT ${round(heuristic.weightedTardiness)} vs EDF ${round(edf.weightedTardiness)} (LB ${row.lowerBound.weightedTardiness}, ${wtBound.mode} ${wtBound.status}; chain and spread ${chainAndSpread}) · late ${heuristic.lateTasks} vs ${edf.lateTasks} (LB ${lateBound ?? "–"}) · p50 ${round(percentile(runtimes, 50))} ms${faithful ? ` · faithful ${faithful.weightedTardiness} (${faithful.proved ? "proved" : `${faithful.status}, bound ${faithful.bound}`}, ${faithful.runtimeMs} ms, start ${faithful.startAccepted ? "taken" : "refused"}, ${faithful.violations} violations)${faithful.plannerGap !== null ? ` planner +${round(faithful.plannerGap * 100, 2)} %` : ""}` : ""}\n`,
  );
}

allRuntimes.sort((a, b) => a - b);
bigRuntimes.sort((a, b) => a - b);
const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0);
const totalHeuristic = sum((r) => r.heuristic.weightedTardiness);
const totalEdf = sum((r) => r.edf.weightedTardiness);
const summary = {
  command: `node --import tsx test/bench/planner/run.ts --scenarios ${count} --repeats ${repeats} --seed ${values.seed} --exact-seconds ${exactSeconds} --suite ${values.suite} --faithful-seconds ${faithfulSeconds} --faithful-max-tasks ${faithfulMaxTasks}`,
  scenarios: rows.length,
  violations: { heuristic: sum((r) => r.heuristic.violations), edf: sum((r) => r.edf.violations) },
  weightedTardiness: {
    heuristic: round(totalHeuristic),
    edf: round(totalEdf),
    lowerBound: round(sum((r) => r.lowerBound.weightedTardiness)),
    lowerBoundChainAndSpread: round(sum((r) => r.lowerBound.chainAndSpread)),
    lowerBoundBest: round(sum((r) => r.lowerBound.best)),
    reductionVsEdf: totalEdf > 0 ? round(1 - totalHeuristic / totalEdf, 3) : 0,
    scenariosWorseThanEdf: rows.filter((r) => r.heuristic.weightedTardiness > r.edf.weightedTardiness + 1e-6)
      .length,
    scenariosAtLowerBound: rows.filter(
      (r) => r.heuristic.weightedTardiness <= r.lowerBound.weightedTardiness + 1e-6,
    ).length,
  },
  lateTasks: {
    heuristic: sum((r) => r.heuristic.lateTasks),
    edf: sum((r) => r.edf.lateTasks),
    lowerBoundKnownFor: rows.filter((r) => r.lowerBound.lateTasks !== null).length,
    heuristicWhereBoundKnown: sum((r) => (r.lowerBound.lateTasks === null ? 0 : r.heuristic.lateTasks)),
    edfWhereBoundKnown: sum((r) => (r.lowerBound.lateTasks === null ? 0 : r.edf.lateTasks)),
    lowerBound: sum((r) => r.lowerBound.lateTasks ?? 0),
  },
  energyFit: {
    heuristic: round(sum((r) => r.heuristic.energyFit) / rows.length, 3),
    edf: round(sum((r) => r.edf.energyFit) / rows.length, 3),
  },
  fragments: { heuristic: sum((r) => r.heuristic.fragments), edf: sum((r) => r.edf.fragments) },
  contextSwitches: {
    heuristic: sum((r) => r.heuristic.contextSwitches),
    edf: sum((r) => r.edf.contextSwitches),
  },
  unscheduledMinutes: {
    heuristic: sum((r) => r.heuristic.unscheduledMinutes),
    edf: sum((r) => r.edf.unscheduledMinutes),
  },
  runtimeMs: {
    p50: round(percentile(allRuntimes, 50)),
    p95: round(percentile(allRuntimes, 95)),
    max: round(allRuntimes[allRuntimes.length - 1] ?? 0),
    p95For70PlusTasks14Days: round(percentile(bigRuntimes, 95)),
    runsFor70PlusTasks14Days: bigRuntimes.length,
    cpuP95For70PlusTasks14Days: round(percentile(bigCpu, 95)),
  },
  faithful: {
    tried: rows.filter((r) => r.faithful !== null).map((r) => r.name.slice(0, 3)),
    proved: rows
      .filter((r) => r.faithful?.proved)
      .map((r) => ({
        scenario: r.name.slice(0, 3),
        relaxedBound: r.lowerBound.weightedTardiness,
        relaxedProved: r.lowerBound.optimal,
        optimum: r.faithful?.weightedTardiness ?? null,
        planner: r.heuristic.weightedTardiness,
        plannerGapPercent: round((r.faithful?.plannerGap ?? 0) * 100, 2),
        seconds: round((r.faithful?.runtimeMs ?? 0) / 1000),
      })),
    violations: sum((r) => r.faithful?.violations ?? 0),
  },
  benchSeconds: round((performance.now() - benchStart) / 1000),
  rows,
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
