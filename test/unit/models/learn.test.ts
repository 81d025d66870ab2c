/** The small learners and metrics the behaviour models are trained and scored with. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitLogistic, predictLogistic } from "../../../models/learn/logistic.ts";
import { auc, expectedCalibrationError, spearman } from "../../../models/learn/metrics.ts";
import { createRng } from "../../../models/random.ts";

describe("logistic regression", () => {
  it("recovers the coefficients of seeded data and is calibrated on it", () => {
    const rng = createRng(3);
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = [rng.normal(), rng.normal()];
      const p = 1 / (1 + Math.exp(-(0.5 + 2 * (x[0] ?? 0) - 1 * (x[1] ?? 0))));
      xs.push(x);
      ys.push(rng.next() < p ? 1 : 0);
    }
    const model = fitLogistic(xs, ys, { l2: 1e-4 });
    assert.ok(Math.abs((model.weights[0] ?? 0) - 2) < 0.2, String(model.weights));
    assert.ok(Math.abs((model.weights[1] ?? 0) + 1) < 0.15, String(model.weights));
    assert.ok(Math.abs(model.intercept - 0.5) < 0.15, String(model.intercept));
    const p = xs.map((x) => predictLogistic(model, x));
    assert.ok(expectedCalibrationError(p, ys) < 0.03);
    assert.equal(JSON.stringify(fitLogistic(xs, ys, { l2: 1e-4 })), JSON.stringify(model));
  });
});

describe("metrics", () => {
  it("AUC: 1 for a perfect ranking, 0.5 for ties, 0 reversed", () => {
    assert.equal(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
    assert.equal(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
    assert.equal(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  });

  it("Spearman: monotone is 1, reversed is -1", () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 400]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  });

  it("calibration error: 0 when each bin's mean matches its outcomes", () => {
    assert.equal(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]), 0);
    assert.ok(Math.abs(expectedCalibrationError([0.9, 0.9], [0, 0]) - 0.9) < 1e-12);
  });
});
