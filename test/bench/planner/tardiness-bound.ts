/**
 * How far the planner can still get: per scenario, the planner's and EDF's weighted tardiness beside a lower bound
 * every plan must pay (solver/tardiness-bound.ts: each task's chain alone, and its work spread over free time, in
 * one LP). `node --import tsx test/bench/planner/tardiness-bound.ts [--suite generated|independent]
 * [--scenarios 32] [--seed 2026] [--granularity 1]`. The bound is computed on a 1-minute grid by default, so it
 * holds for every plan whose blocks start on whole minutes, not only for the planner's 5-minute grid.
 */
import {
  buildPlanModel,
  evaluatePlan,
  parsePlanInput,
  planSchedule,
} from "../../../engine/scheduling/index.ts";
import { tardinessLowerBound } from "../../../engine/scheduling/solver/tardiness-bound.ts";
import { edfQuality, scenarioSuite } from "./scorer.ts";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};

async function main(): Promise<void> {
  const suite = arg("suite", "generated");
  const independent = suite === "independent";
  const count = Number(arg("scenarios", independent ? "36" : "32"));
  const seed = Number(arg("seed", independent ? "77" : "2026"));
  const granularity = Number(arg("granularity", "1"));
  const scenarios = scenarioSuite(suite, count, seed);
  const totals = { planner: 0, edf: 0, alone: 0, combined: 0 };
  process.stdout.write(
    "| scenario | WT planner | WT EDF | bound: alone | bound: combined | planner − bound |\n",
  );
  process.stdout.write("|---|---:|---:|---:|---:|---:|\n");
  for (const { name, input } of scenarios) {
    const parsed = parsePlanInput(input);
    const planner = evaluatePlan(parsed, planSchedule(input).blocks).weightedTardiness;
    const edf = edfQuality(parsed).weightedTardiness;
    const bound = await tardinessLowerBound(buildPlanModel(parsed, { granularityMinutes: granularity }));
    const combined = bound.combined;
    if (!bound.optimal) process.stderr.write(`${name}: LP not solved to optimality, alone bound only\n`);
    totals.planner += planner;
    totals.edf += edf;
    totals.alone += bound.alone;
    totals.combined += combined;
    process.stdout.write(
      `| ${name.slice(0, 3)} | ${planner} | ${edf} | ${bound.alone} | ${combined} | ${planner - combined} |\n`,
    );
  }
  const x = (v: number) => `${(v / totals.edf).toFixed(3)} ×`;
  process.stdout.write(
    `| total | ${totals.planner} (${x(totals.planner)}) | ${totals.edf} | ${totals.alone} (${x(totals.alone)}) | ${totals.combined} (${x(totals.combined)}) | ${totals.planner - totals.combined} |\n`,
  );
  process.stdout.write(
    `command: node --import tsx test/bench/planner/tardiness-bound.ts ${process.argv.slice(2).join(" ")}\n`,
  );
}

await main();
