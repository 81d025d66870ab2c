/**
 * CPU time per plan, this checkout against another one, side by side in one process (alternating runs, so both
 * see the same machine load): `node --import tsx test/bench/planner/cpu-compare.ts --old /path/to/other/checkout
 * [--runs 20] [--scenarios s04,s10,s13,i05,i13,i32,i35]`. s.. are generated (seed 2026), i.. independent (seed 77).
 * Prints JSON: per scenario, median and p95 CPU ms (user + system) and evaluations of each.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { planSchedule as PlanSchedule } from "../../../engine/scheduling/index.ts";
import { generateScenario } from "./generator.ts";
import { generateIndependentScenario } from "./independent-generator.ts";

const { values } = parseArgs({
  options: {
    old: { type: "string" },
    runs: { type: "string", default: "20" },
    scenarios: { type: "string", default: "s04,s10,s13,i05,i13,i32,i35" },
  },
});
if (!values.old) throw new Error("--old: the path of the checkout to compare with is required");
const load = async (root: string): Promise<typeof PlanSchedule> => {
  const module = await import(pathToFileURL(resolve(root, "engine/scheduling/index.ts")).href);
  return module.planSchedule as typeof PlanSchedule;
};
const versions = { old: await load(values.old), new: await load(process.cwd()) };
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
};
const result: Record<string, unknown> = {
  command: process.argv.slice(1).join(" "),
  runs: Number(values.runs),
};
for (const key of (values.scenarios ?? "").split(",")) {
  const index = Number(key.slice(1));
  const { name, input } = key.startsWith("i")
    ? generateIndependentScenario(77, index)
    : generateScenario(2026, index);
  const cpu: Record<string, number[]> = { old: [], new: [] };
  const evaluations: Record<string, number> = {};
  for (const plan of Object.values(versions)) plan(input); // warm-up
  for (let i = 0; i < Number(values.runs); i++) {
    // Alternate which version goes first, so neither always pays for the other's garbage.
    const order = i % 2 === 0 ? Object.entries(versions) : Object.entries(versions).reverse();
    for (const [label, plan] of order) {
      const before = process.cpuUsage();
      const out = plan(input);
      const used = process.cpuUsage(before);
      cpu[label]?.push((used.user + used.system) / 1000);
      evaluations[label] = out.metrics.search?.evaluations ?? 0;
    }
  }
  const row = Object.fromEntries(
    Object.entries(cpu).map(([label, times]) => [
      label,
      { p50: percentile(times, 0.5), p95: percentile(times, 0.95), evaluations: evaluations[label] },
    ]),
  );
  result[name] = row;
  process.stderr.write(`${name}: ${JSON.stringify(row)}\n`);
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
