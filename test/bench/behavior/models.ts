/**
 * Serving cost of the behaviour models:
 *   node --import tsx test/bench/behavior/models.ts
 * - completion: the trained logistic in TypeScript against an onnxruntime-node session on the same rows
 *   (1, 10, 100, 1000 open tasks per call), median µs per call;
 * - loading models/trained/*.json;
 * - `cairn insights` on a 90-day simulated history: in-process compute, and the whole process.
 * Progress on stderr, results as JSON on stdout.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { completionProbability } from "../../../engine/behavior/completion.ts";
import { insightsFromRaw } from "../../../engine/behavior/insights-from-history.ts";
import { loadTrainedModels, TRAINED_DIR } from "../../../engine/behavior/trained-models.ts";
import { ONNX_FILE } from "../../../engine/behavior/training/artifacts.ts";
import { completionCheckRows, FULL_CONFIG } from "../../../engine/behavior/training/train-behavior-models.ts";
import { historyAt, simulateWorkforce } from "../../../models/simulator/workers.ts";
import { median, progress } from "../support/stats.ts";

const time = async (reps: number, run: () => unknown | Promise<unknown>): Promise<number> => {
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return median(samples);
};

const models = loadTrainedModels().models;
progress("completion: TypeScript vs onnxruntime-node");
const base = completionCheckRows(FULL_CONFIG, models.effort, 4);
const session = await ort.InferenceSession.create(readFileSync(new URL(ONNX_FILE, TRAINED_DIR)));
const d = models.completion.weights.length;
const completion: Record<string, { typescriptUs: number; onnxUs: number }> = {};
for (const n of [1, 10, 100, 1000]) {
  const rows = Array.from({ length: n }, (_, i) => base[i % base.length] ?? []);
  const ts = await time(2000, () => rows.map((r) => completionProbability(models.completion, r)));
  const onnx = await time(500, () =>
    session.run({ features: new ort.Tensor("float32", Float32Array.from(rows.flat()), [n, d]) }),
  );
  completion[String(n)] = {
    typescriptUs: Math.round(ts * 1000 * 100) / 100,
    onnxUs: Math.round(onnx * 1000 * 100) / 100,
  };
}
await session.release();

progress("loading the trained models");
const loadMs = await time(200, () => loadTrainedModels());

progress("cairn insights on a 90-day simulated history");
const [sim] = simulateWorkforce({ seed: 90, people: 1, days: 90 });
if (!sim) throw new Error("no simulated person");
const history = historyAt(sim, sim.end - 12 * 3_600_000);
const computeMs = await time(20, () => insightsFromRaw(history));
const dir = mkdtempSync(join(tmpdir(), "cairn-bench-"));
const file = join(dir, "history90.json");
writeFileSync(file, JSON.stringify(history));
const cli = new URL("../../../bin/cairn.js", import.meta.url).pathname;
const processMs = await time(5, () => {
  const result = spawnSync(process.execPath, [cli, "insights", "--input", file], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
});
const nodeMs = await time(5, () => spawnSync(process.execPath, ["-e", "0"]));
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify(
    {
      completionPerCall: completion,
      loadModelsMs: Math.round(loadMs * 1000) / 1000,
      insights90Days: {
        tasks: history.tasks.length,
        events: history.events.length,
        computeMs: Math.round(computeMs * 10) / 10,
        processMs: Math.round(processMs),
        nodeEmptyProcessMs: Math.round(nodeMs),
      },
    },
    null,
    2,
  )}\n`,
);
