/**
 * `cairn insights` serves the trained behaviour models (models/trained/): on held-out simulated people it finds
 * their peak hours and calibrates their estimates, the committed ONNX export agrees with the TypeScript
 * reference, and a model file that fails to load falls back to the reference parameters with a warning.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { completionProbability } from "../../engine/behavior/completion.ts";
import { insightsFromRaw } from "../../engine/behavior/insights-from-history.ts";
import {
  loadTrainedModels,
  MODEL_FILES,
  REFERENCE_MODELS,
  TRAINED_DIR,
  trainedModels,
} from "../../engine/behavior/trained-models.ts";
import { ONNX_FILE } from "../../engine/behavior/training/artifacts.ts";
import { completionCheckRows, FULL_CONFIG } from "../../engine/behavior/training/train-behavior-models.ts";
import { historyAt, simulateWorkforce } from "../../models/simulator/workers.ts";

const DAY = 86_400_000;

describe("cairn insights with the trained models", () => {
  it("loads every committed model without falling back", () => {
    const loaded = loadTrainedModels();
    assert.deepEqual(loaded.warnings, []);
    assert.notDeepEqual(loaded.models.completion, REFERENCE_MODELS.completion);
  });

  it("finds held-out simulated people's peak hours and beats their raw estimates", () => {
    // A seed neither training nor the held-out evaluation uses; the full figures are in models/cards/.
    const sims = simulateWorkforce({ seed: 424_242, people: 12, days: 35 });
    let personal = 0;
    let hits = 0;
    let rawError = 0;
    let modelError = 0;
    for (const sim of sims) {
      const at14 = insightsFromRaw(historyAt(sim, sim.start + 14 * DAY + 11 * 3_600_000));
      if (at14.basis === "personal") {
        personal++;
        if (Math.abs(at14.peakHours.bestHour - Math.floor(sim.worker.peakHour)) <= 1) hits++;
      }
      for (const day of [21, 28]) {
        const out = insightsFromRaw(historyAt(sim, sim.start + day * DAY + 11 * 3_600_000));
        for (const task of out.effort.tasks) {
          const truth = sim.tasks.find((t) => t.id === task.taskId);
          if (!truth || truth.completed === null) continue;
          rawError += Math.abs(Math.log(truth.effortMinutes / truth.estimateMinutes));
          modelError += Math.abs(Math.log(truth.effortMinutes / task.predictedMinutes));
        }
      }
    }
    assert.ok(personal >= 8, `${personal} people with a personal answer after 14 days`);
    assert.ok(hits >= 0.7 * personal, `${hits} of ${personal} peaks within ±1 h`);
    assert.ok(modelError < 0.8 * rawError, `${modelError} vs raw ${rawError}`);
  });

  it("answers the population prior, marked as such, for a short history", () => {
    const [sim] = simulateWorkforce({ seed: 5, people: 1, days: 3 });
    assert.ok(sim);
    const out = insightsFromRaw(historyAt(sim, sim.end));
    assert.equal(out.basis, "population");
    assert.equal(out.peakHours.confidence, 0.1);
    assert.equal(
      out.effort.multiplier,
      Math.round(Math.exp(trainedModels().effort.populationLogRatio) * 100) / 100,
    );
  });

  it("the committed ONNX export agrees with the TypeScript reference within 1e-5", async () => {
    const ort = await import("onnxruntime-node");
    const models = trainedModels();
    const rows = completionCheckRows(FULL_CONFIG, models.effort, 4);
    assert.ok(rows.length > 5, `${rows.length} rows`);
    const session = await ort.InferenceSession.create(readFileSync(new URL(ONNX_FILE, TRAINED_DIR)));
    const d = models.completion.weights.length;
    const output = await session.run({
      features: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, d]),
    });
    const p = output.probability?.data as Float32Array;
    rows.forEach((row, i) => {
      const reference = completionProbability(models.completion, row);
      assert.ok(Math.abs((p[i] ?? 0) - reference) <= 1e-5, `${p[i]} vs ${reference}`);
    });
    await session.release();
  });
});

describe("a model file that fails to load", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-models-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("falls back to the reference parameters for that model only, with a warning naming the file", () => {
    for (const file of Object.values(MODEL_FILES)) copyFileSync(new URL(file, TRAINED_DIR), join(dir, file));
    writeFileSync(join(dir, MODEL_FILES.completion), "{ not json");
    writeFileSync(
      join(dir, MODEL_FILES.burnout),
      JSON.stringify({ model: "burnout", version: 1, weights: {} }),
    );
    const loaded = loadTrainedModels(dir);
    assert.equal(loaded.warnings.length, 2);
    assert.match(loaded.warnings[0] ?? "", /completion\.json failed to load .*reference parameters/);
    assert.match(loaded.warnings[1] ?? "", /burnout\.json failed to load \(its contents do not match/);
    assert.deepEqual(loaded.models.completion, REFERENCE_MODELS.completion);
    assert.deepEqual(loaded.models.burnout, REFERENCE_MODELS.burnout);
    assert.deepEqual(loaded.models.effort, loadTrainedModels().models.effort);
  });
});
