/** The simulator of people at work: seeded, in the `cairn insights` contract, with the hidden truth beside it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseInsightsInput } from "../../../engine/behavior/insights-input.ts";
import { WORK_KINDS } from "../../../models/simulator/work-vocabulary.ts";
import { exhaustionAt, historyAt, simulateWorkforce } from "../../../models/simulator/workers.ts";

const DAY = 86_400_000;

describe("simulated people at work", () => {
  const sims = simulateWorkforce({ seed: 7, people: 3, days: 21 });

  it("gives the same people, days and events for the same seed", () => {
    const again = simulateWorkforce({ seed: 7, people: 3, days: 21 });
    assert.equal(JSON.stringify(again), JSON.stringify(sims));
    const other = simulateWorkforce({ seed: 8, people: 3, days: 21 });
    assert.notEqual(JSON.stringify(other), JSON.stringify(sims));
  });

  it("emits histories that cairn insights accepts, cut at any moment", () => {
    for (const sim of sims)
      for (const day of [3, 14, 21]) {
        const now = sim.start + day * DAY;
        const input = parseInsightsInput(historyAt(sim, now));
        assert.equal(input.now, new Date(now).toISOString());
        assert.ok(input.events.every((e) => Date.parse(e.at) <= now));
        assert.ok(input.tasks.every((t) => !t.completedAt || Date.parse(t.completedAt) <= now));
        assert.deepEqual(input.person.workingHours.sat, []);
      }
  });

  it("hides the truth: actuals only for finished tasks, titles from each kind's words", () => {
    const sim = sims[0];
    assert.ok(sim);
    const history = historyAt(sim, sim.start + 10 * DAY);
    for (const task of history.tasks) {
      if (!task.completedAt) assert.equal(task.actualMinutes, null);
      const truth = sim.tasks.find((t) => t.id === task.id);
      const kind = WORK_KINDS.find((k) => k.name === truth?.kind);
      assert.ok(
        kind?.verbs.some((v) => task.title.startsWith(v)),
        task.title,
      );
    }
    const focus = history.events.filter((e) => e.type === "focus_started").length;
    assert.ok(focus > 5, `${focus} focus sessions`);
  });

  it("tracks hidden exhaustion day by day, within 0..1", () => {
    for (const sim of sims) {
      assert.equal(sim.exhaustion.length, 21);
      const value = exhaustionAt(sim, sim.end);
      assert.ok(value >= 0 && value <= 1, String(value));
    }
  });
});
