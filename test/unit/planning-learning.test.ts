/** Slot features, the bandit, the simulator and the evaluation: deterministic with seeds. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  emptyStats,
  observe,
  personBelief,
  populationBelief,
  sampleTheta,
  scoreFeatures,
} from "../../models/bandit.ts";
import { createRng } from "../../models/random.ts";
import { evaluatePolicies } from "../../models/simulator/evaluate.ts";
import { generateCohort, generateWeek, keepProbability, react } from "../../models/simulator/people.ts";
import { banditPolicy, baselinePolicy, oraclePolicy } from "../../models/simulator/policies.ts";
import { FEATURE_COUNT, FEATURE_NAMES, type SlotContext, slotFeatures } from "../../models/slot-features.ts";
import { SLOT_PREFERENCE_PRIOR } from "../../models/slot-preference-prior.ts";
import { trainSlotPrior } from "../../models/train-slot-prior.ts";

const slot: SlotContext = {
  startMinuteOfDay: 9 * 60 + 30,
  weekday: 1,
  durationMinutes: 90,
  taskEnergy: "high",
  inPeak: true,
  minutesToDeadline: 600,
  minutesAfterMeeting: 10,
  minutesBeforeMeeting: null,
  noMeetingDay: false,
};

describe("slot features", () => {
  it("encodes a slot into the named features", () => {
    const x = slotFeatures(slot);
    assert.equal(x.length, FEATURE_COUNT);
    const f = (name: (typeof FEATURE_NAMES)[number]) => x[FEATURE_NAMES.indexOf(name)];
    assert.equal(f("bias"), 1);
    assert.equal(f("start_9_11"), 1);
    assert.equal(f("start_13_15"), 0);
    assert.equal(f("morning"), 1);
    assert.equal(f("monday"), 1);
    assert.equal(f("length_long"), 1);
    assert.equal(f("length_hours"), 1.5);
    assert.equal(f("energy_match"), 1);
    assert.equal(f("deadline_within_24h"), 1);
    assert.equal(f("right_after_meeting"), 1);
    assert.equal(f("right_before_meeting"), 0);
    assert.equal(f("high_energy_morning"), 1);
    assert.deepEqual(FEATURE_NAMES, SLOT_PREFERENCE_PRIOR.featureNames);
  });
});

describe("bandit", () => {
  it("learns a preference from observations and samples deterministically", () => {
    const morning = slotFeatures(slot);
    const afternoon = slotFeatures({
      ...slot,
      startMinuteOfDay: 15 * 60,
      weekday: 3,
      minutesAfterMeeting: null,
    });
    const stats = emptyStats();
    for (let i = 0; i < 30; i++) {
      observe(stats, morning, 0);
      observe(stats, afternoon, 1);
    }
    const belief = personBelief(SLOT_PREFERENCE_PRIOR, populationBelief(SLOT_PREFERENCE_PRIOR), stats);
    assert.ok(scoreFeatures(belief.mean, afternoon) > scoreFeatures(belief.mean, morning) + 0.5);
    const a = sampleTheta(belief, createRng(5), 0.5);
    const b = sampleTheta(belief, createRng(5), 0.5);
    assert.deepEqual(a, b);
    assert.deepEqual(sampleTheta(belief, createRng(5), 0), belief.mean);
  });

  it("trains the same prior from the same seed", () => {
    const options = { seed: 3, people: 12, weeks: 2, blocksPerWeek: 8 };
    assert.deepEqual(trainSlotPrior(options), trainSlotPrior(options));
  });
});

describe("user simulator", () => {
  it("is seeded: same cohort, weeks and reactions for the same seed", () => {
    const [a] = generateCohort({ seed: 9, people: 3 });
    const [b] = generateCohort({ seed: 9, people: 3 });
    assert.ok(a && b);
    assert.deepEqual(a, b);
    const weekA = generateWeek(createRng(1), a, 10);
    const weekB = generateWeek(createRng(1), b, 10);
    assert.deepEqual(weekA, weekB);
    const decision = weekA[0];
    assert.ok(decision && decision.candidates.length > 5);
    assert.deepEqual(react(createRng(2), a, decision, 0), react(createRng(2), b, decision, 0));
    for (const p of decision.candidates.map((c) => keepProbability(a, c))) assert.ok(p > 0 && p < 1);
  });

  it("offers only slots that avoid meetings and (when possible) end before the deadline", () => {
    const [person] = generateCohort({ seed: 11, people: 1 });
    assert.ok(person);
    for (const decision of generateWeek(createRng(4), person, 12)) {
      const inTime = decision.candidates.filter(
        (c) => c.minutesToDeadline === null || c.minutesToDeadline >= 0,
      );
      assert.ok(inTime.length === decision.candidates.length || inTime.length === 0);
      for (const c of decision.candidates) {
        assert.ok(c.startMinuteOfDay >= person.workStart * 60 - 1e-9);
        assert.ok(c.startMinuteOfDay + c.durationMinutes <= person.workEnd * 60 + 1e-9);
      }
    }
  });
});

describe("evaluation on simulated people", () => {
  it("the bandit beats the fixed-rule baseline and stays below the oracle", () => {
    const results = evaluatePolicies({
      seed: 101,
      people: 16,
      weeks: 4,
      blocksPerWeek: 10,
      policies: [
        { name: "baseline", make: () => baselinePolicy() },
        { name: "bandit", make: () => banditPolicy({ prior: SLOT_PREFERENCE_PRIOR, explorationScale: 0.2 }) },
        { name: "oracle", make: (person) => oraclePolicy(person) },
      ],
    });
    const [baseline, bandit, oracle] = results;
    assert.ok(baseline && bandit && oracle);
    assert.ok(
      bandit.keptRate > baseline.keptRate + 0.1,
      `bandit ${bandit.keptRate} vs baseline ${baseline.keptRate}`,
    );
    assert.ok(oracle.keptRate >= bandit.keptRate, `oracle ${oracle.keptRate} vs bandit ${bandit.keptRate}`);
    // Learning: the last week is better than the first for the bandit.
    assert.ok((bandit.keptRateByWeek.at(-1) ?? 0) >= (bandit.keptRateByWeek[0] ?? 1));
    // Paired: the bandit wins for most people.
    const wins = bandit.perPerson.filter((v, i) => v > (baseline.perPerson[i] ?? 1)).length;
    assert.ok(wins >= 12, `bandit better for ${wins}/16 people`);
  });
});
