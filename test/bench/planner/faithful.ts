/**
 * The faithful model alone on chosen scenarios, with a longer time limit than run.ts gives it:
 * `node --import tsx test/bench/planner/faithful.ts --suite independent --seed 77 --scenarios 36 --only i11,i14
 * --seconds 240`. Started from the planner's plan and cut at the relaxed model's bound (5 s). One line per
 * scenario on stderr, a JSON summary on stdout.
 */
import { parseArgs } from "node:util";
import {
  checkHardRules,
  evaluatePlan,
  parsePlanInput,
  planSchedule,
  solveExact,
} from "../../../engine/scheduling/index.ts";
import { solveExactBlocks } from "../../../engine/scheduling/solver/exact-blocks.ts";
import { scenarioSuite } from "./scorer.ts";

const { values } = parseArgs({
  options: {
    suite: { type: "string", default: "generated" },
    seed: { type: "string", default: "2026" },
    scenarios: { type: "string", default: "32" },
    only: { type: "string", default: "" },
    seconds: { type: "string", default: "240" },
  },
});
const only = new Set(values.only.split(",").filter(Boolean));
const seconds = Number(values.seconds);
const scenarios = scenarioSuite(values.suite, Number(values.scenarios), Number(values.seed));
const rows = [];
for (const { name, input } of scenarios) {
  if (only.size > 0 && !only.has(name.slice(0, 3))) continue;
  const planner = planSchedule(input);
  const relaxed = await solveExact(input, { timeLimitSeconds: 5 });
  const exact = await solveExactBlocks(input, {
    timeLimitSeconds: seconds,
    start: planner,
    atLeast: relaxed.lowerBound,
  });
  const violations = exact.plan ? checkHardRules(input, exact.plan).length : null;
  const scored = exact.plan ? evaluatePlan(parsePlanInput(input), exact.plan.blocks).weightedTardiness : null;
  const row = {
    scenario: name,
    planner: planner.metrics.weightedTardiness,
    relaxedBound: Math.round(relaxed.lowerBound * 10) / 10,
    faithful: exact.weightedTardiness,
    scored,
    bound: Math.round(exact.bound * 10) / 10,
    proved: exact.optimal,
    status: exact.status,
    startAccepted: exact.startAccepted,
    violations,
    seconds: Math.round(exact.runtimeMs / 100) / 10,
  };
  rows.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}
const command = `node --import tsx test/bench/planner/faithful.ts --suite ${values.suite} --seed ${values.seed} --scenarios ${values.scenarios} --only ${values.only} --seconds ${seconds}`;
process.stdout.write(`${JSON.stringify({ command, rows }, null, 2)}\n`);
