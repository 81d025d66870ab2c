import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planSchedule } from "../../../engine/scheduling/index.ts";
import { assertValid, blocksOf, minutes, scenario, task, totalMinutes } from "./fixtures.ts";

const MONDAY = "2026-03-02";

describe("hard rules", () => {
  it("keeps busy events plus the buffer on both sides free", () => {
    const input = scenario({
      person: {
        timezone: "Europe/Berlin",
        workingHours: { mon: [{ start: "09:00", end: "12:00" }] },
        preferences: { bufferMinutes: 15, minBlockMinutes: 30, maxBlockMinutes: 120 },
      },
      // 10:00–10:30 local (09:00–09:30Z): nothing may touch 09:45–10:45 local.
      busy: [{ id: "m1", title: "Sync", start: `${MONDAY}T09:00:00Z`, end: `${MONDAY}T09:30:00Z` }],
      tasks: [task("t1", 150)],
    });
    const out = assertValid(input, planSchedule(input));
    assert.deepEqual(
      out.blocks.map((b) => [b.start, b.end]),
      [
        [`${MONDAY}T08:00:00Z`, `${MONDAY}T08:45:00Z`],
        [`${MONDAY}T09:45:00Z`, `${MONDAY}T11:00:00Z`],
      ],
    );
    assert.equal(out.unscheduled[0]?.remainingMinutes, 30);
  });

  it("respects minimum and maximum block lengths", () => {
    const input = scenario({
      person: {
        timezone: "Europe/Berlin",
        workingHours: {
          mon: [
            { start: "09:00", end: "09:20" },
            { start: "10:00", end: "17:00" },
          ],
        },
        preferences: { minBlockMinutes: 45, maxBlockMinutes: 60, bufferMinutes: 0 },
      },
      tasks: [task("t1", 200), task("short", 20)],
    });
    const out = assertValid(input, planSchedule(input));
    for (const b of blocksOf(out, "t1")) {
      assert.ok(minutes(b) >= 45 && minutes(b) <= 60, `block of ${minutes(b)} min`);
    }
    assert.equal(totalMinutes(out, "t1"), 200);
    // The task shorter than the minimum gets one block of its own length, and it fits the 09:00–09:20 gap.
    assert.deepEqual(blocksOf(out, "short").map(minutes), [20]);
  });

  it("gives an unsplittable task one block of its full estimate, or nothing with a reason", () => {
    const input = scenario({
      person: {
        timezone: "Europe/Berlin",
        workingHours: {
          mon: [
            { start: "09:00", end: "10:00" },
            { start: "11:00", end: "13:00" },
          ],
        },
        preferences: { maxBlockMinutes: 120, bufferMinutes: 0 },
      },
      horizon: { start: `${MONDAY}T00:00:00Z`, end: "2026-03-03T00:00:00Z" },
      tasks: [task("deep", 90, { splittable: false }), task("huge", 150, { splittable: false })],
    });
    const out = assertValid(input, planSchedule(input));
    assert.deepEqual(
      blocksOf(out, "deep").map((b) => [b.start, b.end]),
      [[`${MONDAY}T10:00:00Z`, `${MONDAY}T11:30:00Z`]],
    );
    assert.equal(blocksOf(out, "huge").length, 0);
    const huge = out.unscheduled.find((u) => u.taskId === "huge");
    assert.equal(huge?.remainingMinutes, 150);
    assert.match(huge?.reason ?? "", /150-minute block, longer than your 120-minute maximum/);
  });

  it("starts nothing before earliestStart or now", () => {
    const input = scenario({
      now: `${MONDAY}T10:02:00Z`,
      tasks: [task("t1", 60), task("later", 60, { earliestStart: "2026-03-04T13:00:00+01:00" })],
    });
    const out = assertValid(input, planSchedule(input));
    assert.equal(blocksOf(out, "t1")[0]?.start, `${MONDAY}T10:05:00Z`);
    assert.equal(blocksOf(out, "later")[0]?.start, "2026-03-04T12:00:00Z");
  });

  it("schedules a dependency chain in order, each after the previous one has ended", () => {
    const input = scenario({
      tasks: [
        task("c", 60, { dependsOn: ["b"], due: "2026-03-03T12:00:00Z", priority: 1 }),
        task("b", 90, { dependsOn: ["a"] }),
        task("a", 120),
      ],
    });
    const out = assertValid(input, planSchedule(input));
    const lastEnd = (id: string) => Math.max(...blocksOf(out, id).map((b) => Date.parse(b.end)));
    const firstStart = (id: string) => Math.min(...blocksOf(out, id).map((b) => Date.parse(b.start)));
    assert.ok(lastEnd("a") <= firstStart("b"));
    assert.ok(lastEnd("b") <= firstStart("c"));
    assert.equal(out.metrics.lateTasks, 0);
  });

  it("leaves a dependent unscheduled when its prerequisite does not fit, and says why", () => {
    const input = scenario({
      horizon: { start: `${MONDAY}T00:00:00Z`, end: "2026-03-03T00:00:00Z" },
      person: { timezone: "Europe/Berlin", preferences: { maxFocusMinutesPerDay: 480 } },
      tasks: [task("big", 600, { title: "Migrate billing" }), task("after", 30, { dependsOn: ["big"] })],
    });
    const out = assertValid(input, planSchedule(input));
    assert.equal(blocksOf(out, "after").length, 0);
    assert.match(
      out.unscheduled.find((u) => u.taskId === "after")?.reason ?? "",
      /waits for “Migrate billing”/,
    );
  });

  it("keeps focus minutes per local day under the cap", () => {
    const input = scenario({
      person: {
        timezone: "Europe/Berlin",
        preferences: { maxFocusMinutesPerDay: 150, maxBlockMinutes: 120 },
      },
      tasks: [task("t1", 300), task("t2", 200)],
    });
    const out = assertValid(input, planSchedule(input));
    const perDay = new Map<string, number>();
    for (const b of out.blocks)
      perDay.set(b.start.slice(0, 10), (perDay.get(b.start.slice(0, 10)) ?? 0) + minutes(b));
    assert.ok([...perDay.values()].every((m) => m <= 150));
    assert.equal(out.metrics.scheduledMinutes, 500);
  });

  it("reports overload as unscheduled work with a reason, and counts it as late", () => {
    const input = scenario({
      horizon: { start: `${MONDAY}T00:00:00Z`, end: "2026-03-03T00:00:00Z" },
      tasks: [
        task("urgent", 240, { priority: 1, due: `${MONDAY}T16:00:00Z` }),
        task("minor", 300, { priority: 4, due: `${MONDAY}T16:00:00Z` }),
      ],
    });
    const out = assertValid(input, planSchedule(input));
    // 8 working hours; the priority-1 task goes first and finishes on time.
    assert.equal(totalMinutes(out, "urgent"), 240);
    const minor = out.unscheduled.find((u) => u.taskId === "minor");
    const left = 300 - totalMinutes(out, "minor");
    assert.ok(left >= 60, "at most 240 minutes remain for it");
    assert.equal(minor?.remainingMinutes, left);
    assert.match(minor?.reason ?? "", new RegExp(`Only ${300 - left} of 300 minutes fit before Tue 3 Mar`));
    assert.equal(out.metrics.lateTasks, 1);
    // Left-over work counts as finishing at horizon end + what is left: 8 h after the 16:00Z due time + left.
    assert.equal(out.metrics.weightedTardiness, 1 * (8 * 60 + left));
  });

  it("puts high-energy work in peak hours and says so", () => {
    const input = scenario({
      now: `${MONDAY}T11:00:00Z`,
      tasks: [
        task("think", 120, { energy: "high", due: "2026-03-06T16:00:00Z", priority: 2 }),
        task("admin", 60, { energy: "low" }),
      ],
    });
    const out = assertValid(input, planSchedule(input));
    // Monday's peak (09:00–12:00 local) is over at 12:00 local, so the hard task waits for Tuesday morning.
    assert.equal(blocksOf(out, "think")[0]?.start, "2026-03-03T08:00:00Z");
    assert.match(
      blocksOf(out, "think")[0]?.reason ?? "",
      /^Scheduled in your peak hours, 3 days before its Fri 6 Mar deadline/,
    );
    assert.equal(out.metrics.energyFit, 1);
  });
});

describe("stability", () => {
  it("keeps a still-valid previous block starting within 24 h", () => {
    const input = scenario({
      tasks: [task("t1", 60), task("t2", 60, { priority: 1 })],
      previousBlocks: [{ taskId: "t1", start: `${MONDAY}T13:00:00Z`, end: `${MONDAY}T14:00:00Z` }],
    });
    const out = assertValid(input, planSchedule(input));
    assert.deepEqual(
      blocksOf(out, "t1").map((b) => [b.start, b.end]),
      [[`${MONDAY}T13:00:00Z`, `${MONDAY}T14:00:00Z`]],
    );
    assert.match(blocksOf(out, "t1")[0]?.reason ?? "", /^Kept from your previous plan/);
    assert.equal(out.metrics.keptPreviousBlocks, 1);
  });

  it("moves a previous block that now overlaps a meeting, or that would make urgent work late", () => {
    const overlapping = scenario({
      tasks: [task("t1", 60)],
      busy: [{ id: "m", title: "New meeting", start: `${MONDAY}T13:30:00Z`, end: `${MONDAY}T14:00:00Z` }],
      previousBlocks: [{ taskId: "t1", start: `${MONDAY}T13:00:00Z`, end: `${MONDAY}T14:00:00Z` }],
    });
    const out1 = assertValid(overlapping, planSchedule(overlapping));
    assert.equal(out1.metrics.keptPreviousBlocks, 0);

    const urgent = scenario({
      horizon: { start: `${MONDAY}T00:00:00Z`, end: "2026-03-03T00:00:00Z" },
      tasks: [
        task("t1", 120, { priority: 4 }),
        task("fire", 420, { priority: 1, due: `${MONDAY}T16:00:00Z` }),
      ],
      previousBlocks: [{ taskId: "t1", start: `${MONDAY}T08:00:00Z`, end: `${MONDAY}T10:00:00Z` }],
    });
    const out2 = assertValid(urgent, planSchedule(urgent));
    assert.equal(out2.metrics.keptPreviousBlocks, 0);
    assert.equal(totalMinutes(out2, "fire"), 420);
    assert.equal(out2.metrics.lateTasks, 0);
    assert.ok(totalMinutes(out2, "t1") < 120, "t1 has no deadline and gives way");
  });
});
