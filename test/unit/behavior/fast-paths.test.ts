import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import {
  calibratedLogRatio,
  effortSamples,
  similarityIndex,
  taskTokens,
} from "../../../engine/behavior/effort.ts";
import { localDayNumber, weekdayOfDayNumber, zoneOffset } from "../../../engine/behavior/history.ts";
import type { HistoryTask } from "../../../engine/behavior/insights-input.ts";
import { REFERENCE_MODELS } from "../../../engine/behavior/trained-models.ts";

const HOUR = 3_600_000;

describe("zone offsets looked up per hour", () => {
  for (const zone of ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]) {
    it(`agree with luxon every 7 minutes across the 2026 DST changes (${zone})`, () => {
      const offset = zoneOffset(zone);
      const from = Date.parse("2026-03-01T00:00:00Z");
      const to = Date.parse("2026-11-10T00:00:00Z");
      for (let t = from; t < to; t += 7 * 60_000) {
        const local = DateTime.fromMillis(t, { zone });
        assert.equal(offset(t), local.offset, `${zone} at ${new Date(t).toISOString()}`);
        if (t % (6 * HOUR) < 7 * 60_000) {
          const day = localDayNumber(t, offset);
          assert.equal(weekdayOfDayNumber(day), local.weekday);
        }
      }
    });
  }
});

describe("effort similarity through the token index", () => {
  it("gives exactly what calibratedLogRatio gives, task by task", () => {
    const words = ["report", "budget", "review", "bug", "deploy", "email", "plan", "q3", "draft"];
    const tasks: HistoryTask[] = [];
    for (let i = 0; i < 400; i++) {
      const title = [0, 1, 2].map((k) => words[(i * (k + 3) + k) % words.length]).join(" ");
      tasks.push({
        id: `t${i}`,
        title: i % 17 === 0 ? "" : title,
        estimateMinutes: 30 + (i % 7) * 15,
        due: null,
        priority: 2,
        tags: i % 5 === 0 ? [] : [words[i % 4] as string],
        createdAt: "2026-03-01T09:00:00Z",
        completedAt: i < 300 ? "2026-03-02T09:00:00Z" : null,
        actualMinutes: i < 300 ? 20 + ((i * 37) % 200) : null,
      });
    }
    const samples = effortSamples(tasks, new Map());
    const model = REFERENCE_MODELS.effort;
    const indexed = similarityIndex(samples);
    for (const task of tasks.slice(300)) {
      const tokens = taskTokens(task);
      assert.deepEqual(indexed(tokens, -0.1, model), calibratedLogRatio(tokens, samples, -0.1, model));
    }
  });
});
