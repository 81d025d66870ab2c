import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planSchedule } from "../../../engine/scheduling/index.ts";
import { assertValid, minutes, scenario, task, totalMinutes } from "./fixtures.ts";

function shiftDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T12:00:00Z`) + days * 86_400_000).toISOString();
}

/** One working interval on a Sunday, 01:00–04:00 local, spanning the 02:00–03:00 DST hour. */
function dstSunday(timezone: string, sunday: string, estimate: number) {
  return scenario({
    person: {
      timezone,
      workingHours: { sun: [{ start: "01:00", end: "04:00" }] },
      preferences: {
        minBlockMinutes: 30,
        maxBlockMinutes: 240,
        bufferMinutes: 0,
        maxFocusMinutesPerDay: 600,
      },
    },
    now: shiftDays(sunday, -1),
    horizon: { start: shiftDays(sunday, -1), end: shiftDays(sunday, 1) },
    tasks: [task("t1", estimate)],
  });
}

describe("working hours across DST changes", () => {
  it("Berlin spring-forward: 01:00–04:00 holds only two real hours", () => {
    const input = dstSunday("Europe/Berlin", "2026-03-29", 240);
    const out = assertValid(input, planSchedule(input));
    assert.equal(totalMinutes(out, "t1"), 120);
    assert.deepEqual(
      out.blocks.map((b) => [b.start, b.end]),
      [["2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z"]],
    );
    assert.equal(out.unscheduled[0]?.remainingMinutes, 120);
  });

  it("Berlin fall-back: 01:00–04:00 holds four real hours", () => {
    const input = dstSunday("Europe/Berlin", "2026-10-25", 240);
    const out = assertValid(input, planSchedule(input));
    assert.equal(totalMinutes(out, "t1"), 240);
    assert.equal(out.blocks[0]?.start, "2026-10-24T23:00:00Z");
    assert.equal(out.blocks.at(-1)?.end, "2026-10-25T03:00:00Z");
  });

  it("New York spring-forward and fall-back", () => {
    const spring = dstSunday("America/New_York", "2026-03-08", 240);
    const springOut = assertValid(spring, planSchedule(spring));
    assert.equal(totalMinutes(springOut, "t1"), 120);
    assert.equal(springOut.blocks[0]?.start, "2026-03-08T06:00:00Z");
    assert.equal(springOut.blocks.at(-1)?.end, "2026-03-08T08:00:00Z");

    const fall = dstSunday("America/New_York", "2026-11-01", 240);
    const fallOut = assertValid(fall, planSchedule(fall));
    assert.equal(totalMinutes(fallOut, "t1"), 240);
    assert.equal(fallOut.blocks[0]?.start, "2026-11-01T05:00:00Z");
    assert.equal(fallOut.blocks.at(-1)?.end, "2026-11-01T09:00:00Z");
  });

  it("a Monday 09:00 block in Berlin moves from 08:00Z to 07:00Z after spring-forward", () => {
    const input = scenario({
      now: "2026-03-23T00:00:00Z",
      horizon: { start: "2026-03-23T00:00:00Z", end: "2026-04-04T00:00:00Z" },
      tasks: [
        task("a", 60, { earliestStart: "2026-03-23T08:00:00Z" }),
        task("b", 60, { earliestStart: "2026-03-30T00:00:00Z" }),
      ],
    });
    const out = assertValid(input, planSchedule(input));
    assert.equal(out.blocks.find((b) => b.taskId === "a")?.start, "2026-03-23T08:00:00Z");
    assert.equal(out.blocks.find((b) => b.taskId === "b")?.start, "2026-03-30T07:00:00Z");
  });
});

describe("odd offsets and other weeks", () => {
  it("Asia/Kathmandu (+05:45): 09:00 local is 03:15Z", () => {
    const input = scenario({
      person: { timezone: "Asia/Kathmandu", workingHours: { mon: [{ start: "09:00", end: "10:00" }] } },
      now: "2026-03-02T00:00:00Z",
      horizon: { start: "2026-03-02T00:00:00Z", end: "2026-03-03T00:00:00Z" },
      tasks: [task("t1", 60)],
    });
    const out = assertValid(input, planSchedule(input));
    assert.deepEqual(
      out.blocks.map((b) => [b.start, b.end]),
      [["2026-03-02T03:15:00Z", "2026-03-02T04:15:00Z"]],
    );
  });

  it("Pacific/Chatham (+12:45 in June): Monday 09:00 local is Sunday 20:15Z", () => {
    const input = scenario({
      person: { timezone: "Pacific/Chatham", workingHours: { mon: [{ start: "09:00", end: "11:00" }] } },
      now: "2026-06-14T00:00:00Z",
      horizon: { start: "2026-06-14T00:00:00Z", end: "2026-06-16T00:00:00Z" },
      tasks: [task("t1", 90)],
    });
    const out = assertValid(input, planSchedule(input));
    assert.equal(out.blocks[0]?.start, "2026-06-14T20:15:00Z");
    assert.equal(minutes(out.blocks[0] ?? { start: "", end: "" }), 90);
  });

  it("a Sunday–Thursday week in Asia/Jerusalem never plans Friday or Saturday", () => {
    const hours = [{ start: "08:00", end: "12:00" }];
    const input = scenario({
      person: {
        timezone: "Asia/Jerusalem",
        workingHours: { sun: hours, mon: hours, tue: hours, wed: hours, thu: hours },
        preferences: { maxFocusMinutesPerDay: 240 },
      },
      now: "2026-01-08T12:00:00Z",
      horizon: { start: "2026-01-08T12:00:00Z", end: "2026-01-16T00:00:00Z" },
      tasks: [task("t1", 240, { splittable: false, due: "2026-01-12T00:00:00Z" })],
    });
    const out = assertValid(input, planSchedule(input));
    assert.equal(out.blocks.length, 0, "240 min exceeds the default 120-minute maximum block");
    const input2 = { ...input, tasks: [task("t1", 120), task("t2", 120), task("t3", 120)] };
    const out2 = assertValid(input2, planSchedule(input2));
    // Thursday 8 Jan afternoon is past 12:00 local, so the first block is Sunday 11 Jan 08:00 (06:00Z).
    assert.equal(out2.blocks[0]?.start, "2026-01-11T06:00:00Z");
    for (const b of out2.blocks) {
      const weekday = new Date(b.start).getUTCDay();
      assert.ok(weekday !== 5 && weekday !== 6, `${b.start} falls on a Friday or Saturday`);
    }
  });
});
