/** The pure parts of what_if: pairing blocks, the day off as busy time, the horizon, and the chat phrasing. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMessage } from "../../../bots/conversation/parse.ts";
import { atRiskNote, calibrationNote } from "../../../engine/scheduling/input/behavior-signals.ts";
import { applyToTasks, hypotheticalBusy } from "../../../engine/scheduling/input/hypothesis.ts";
import { diffBlocks, whatIfHorizon } from "../../../engine/scheduling/service/what-if.ts";

const block = (key: string, start: string, end: string) => ({
  key: `task:${key}`,
  taskId: key,
  title: key.toUpperCase(),
  start: `2026-03-0${start}`,
  end: `2026-03-0${end}`,
});

describe("what-if", () => {
  it("pairs unchanged blocks with themselves, so one inserted block is not many moves", () => {
    const before = [
      block("a", "2T09:00Z", "2T10:00Z"),
      block("a", "3T09:00Z", "3T10:00Z"),
      block("b", "4T09:00Z", "4T10:00Z"),
    ];
    const after = [
      block("a", "2T09:00Z", "2T10:00Z"),
      block("a", "5T09:00Z", "5T10:00Z"),
      block("c", "6T09:00Z", "6T10:00Z"),
    ];
    const { moved, added } = diffBlocks(before, after);
    assert.deepEqual(moved, [
      {
        taskId: "a",
        title: "A",
        from: { start: "2026-03-03T09:00Z", end: "2026-03-03T10:00Z" },
        to: { start: "2026-03-05T09:00Z", end: "2026-03-05T10:00Z" },
      },
      { taskId: "b", title: "B", from: { start: "2026-03-04T09:00Z", end: "2026-03-04T10:00Z" }, to: null },
    ]);
    assert.deepEqual(added, [
      { taskId: "c", title: "C", start: "2026-03-06T09:00Z", end: "2026-03-06T10:00Z" },
    ]);
  });

  it("takes a day off as the whole local day, across a DST change", () => {
    const [busy] = hypotheticalBusy([{ type: "day_off", date: "2026-03-29" }], "Europe/Berlin");
    assert.equal(busy?.start, "2026-03-28T23:00:00.000Z");
    assert.equal(busy?.end, "2026-03-29T22:00:00.000Z", "23 hours: clocks go forward that night");
  });

  it("replaces estimates and adds new tasks on a copy, leaving the originals alone", () => {
    const original = applyToTasks(
      [],
      [{ type: "task", title: "Hotfix", estimateMinutes: 90, priority: 1 }],
      new Date("2026-03-02T08:00:00Z"),
    );
    const changed = applyToTasks(
      original,
      [{ type: "estimate", taskId: "new-task-1", estimateMinutes: 30 }],
      new Date(),
    );
    assert.equal(original[0]?.estimateMinutes, 90);
    assert.equal(changed[0]?.estimateMinutes, 30);
    assert.equal(changed[0]?.priority, 1);
  });

  it("looks a week ahead, further when a change lies beyond it (at most 28 days)", () => {
    const now = new Date("2026-03-02T08:00:00Z");
    assert.deepEqual(whatIfHorizon("UTC", now, []), {
      start: "2026-03-02T00:00:00.000Z",
      end: "2026-03-09T00:00:00.000Z",
    });
    assert.equal(
      whatIfHorizon("UTC", now, [{ type: "day_off", date: "2026-03-12" }]).end,
      "2026-03-13T00:00:00.000Z",
    );
    assert.equal(
      whatIfHorizon("UTC", now, [{ type: "day_off", date: "2026-06-01" }]).end,
      "2026-03-30T00:00:00.000Z",
    );
  });

  it("says at-risk and calibration notes in the person's terms", () => {
    assert.equal(
      atRiskNote({ taskId: "t", probability: 0.347, due: "2026-03-24T15:00:00Z" }, "Europe/Berlin"),
      "At risk: 35 % chance of finishing by Tue 24 Mar 16:00.",
    );
    assert.equal(
      calibrationNote({
        taskId: "t",
        estimateMinutes: 60,
        predictedMinutes: 86,
        low: 60,
        high: 140,
        basis: "personal",
        reason: "you took 1.5× your estimate on 10 finished tasks",
      }),
      "Planned 86 minutes for the 60 you estimated: you took 1.5× your estimate on 10 finished tasks.",
    );
  });

  it("understands “what if I take Friday off” in chat", () => {
    const clock = { timezone: "UTC", now: new Date("2026-03-02T08:00:00Z") };
    assert.deepEqual(parseMessage("what if I take Friday off?", clock), {
      action: "what_if",
      input: { changes: [{ type: "day_off", date: "2026-03-06" }] },
    });
    assert.deepEqual(parseMessage("what if I'm off tomorrow", clock), {
      action: "what_if",
      input: { changes: [{ type: "day_off", date: "2026-03-03" }] },
    });
    assert.deepEqual(parseMessage("how long will the Q3 report really take?", clock), {
      action: "estimate_task",
      input: { taskId: { taskQuery: "Q3 report" } },
    });
  });
});
