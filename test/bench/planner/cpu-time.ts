/**
 * CPU and wall time of `planSchedule` for one scenario: `node --import tsx test/bench/planner/cpu-time.ts
 * [--scenario 10] [--runs 30]` (generated suite, seed 2026; s10 has 80 tasks over two weeks). CPU time (user +
 * system, process.cpuUsage) is far less inflated by a loaded machine than wall time. Prints JSON.
 */
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import { type PlanOptions, planSchedule } from "../../../engine/scheduling/index.ts";
import { generateScenario } from "./generator.ts";

const { values } = parseArgs({
  options: { scenario: { type: "string", default: "10" }, runs: { type: "string", default: "30" } },
});
const { name, input } = generateScenario(2026, Number(values.scenario));
const zone = input.person.timezone;
// As planning-service runs it once a preference is learned: a score per candidate slot, a weight.
const learned: PlanOptions = {
  slotPreference: (_task, startMs) => DateTime.fromMillis(startMs, { zone }).hour / 24,
  preferencePass: { weight: 45 },
};
const percentile = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);

const result: Record<string, unknown> = { scenario: name, runs: Number(values.runs) };
for (const [label, options] of [
  ["plain", {}],
  ["learnedPreference", learned],
] as const) {
  planSchedule(input, options);
  const cpu: number[] = [];
  const runtime: number[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const before = process.cpuUsage();
    const out = planSchedule(input, options);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
    runtime.push(out.metrics.runtimeMs);
  }
  cpu.sort((a, b) => a - b);
  runtime.sort((a, b) => a - b);
  result[label] = {
    cpuMs: { p50: percentile(cpu, 0.5), p95: percentile(cpu, 0.95) },
    runtimeMs: { p50: percentile(runtime, 0.5), p95: percentile(runtime, 0.95) },
  };
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
