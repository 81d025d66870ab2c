/** When nudges may go: working hours, meetings and focus blocks, quiet hours, the daily cap, learned send times. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseSendHour } from "../../../engine/nudges/send-times.ts";
import { inQuietHours, scheduleNudges } from "../../../engine/nudges/timing.ts";
import { type NudgeCandidate, nudgeCandidates } from "../../../engine/nudges/triggers.ts";
import { block, monday, snapshot, timing } from "./fixtures.ts";

function candidate(kind: NudgeCandidate["kind"], fields: Partial<NudgeCandidate> = {}): NudgeCandidate {
  const [found] = nudgeCandidates(
    snapshot({
      now: monday("08:00"),
      unscheduled: [{ taskId: "t1", title: "Deck" }],
      streakDays: 5,
      completedToday: 1,
    }),
  ).filter((c) => c.kind === kind);
  assert.ok(found, `a ${kind} candidate`);
  return { ...found, ...fields };
}

describe("nudge timing", () => {
  it("waits for working hours in the person's zone", () => {
    const early = candidate("morning_plan", { earliest: monday("07:00"), latest: monday("11:00") });
    const { scheduled } = scheduleNudges([early], timing({ now: monday("07:00") }));
    assert.equal(scheduled[0]?.sendAt, monday("09:00"));
    assert.equal(scheduled[0]?.sendHour, 9);
    assert.equal(scheduled[0]?.localDate, "2026-03-16");
  });

  it("never during a meeting or a focus block, except the block the nudge is about", () => {
    const morning = candidate("morning_plan", { earliest: monday("09:00"), latest: monday("11:00") });
    const focus = block({ start: monday("09:30"), end: monday("10:30") });
    const busy = [
      { start: monday("09:00"), end: monday("09:30") },
      { start: focus.start, end: focus.end, blockId: focus.id },
    ];
    const { scheduled } = scheduleNudges([morning], timing({ busy }));
    assert.equal(scheduled[0]?.sendAt, monday("10:30"));
    const aboutTheBlock = { ...morning, ownBlockId: focus.id, earliest: monday("09:40") };
    assert.equal(scheduleNudges([aboutTheBlock], timing({ busy })).scheduled[0]?.sendAt, monday("09:40"));
  });

  it("respects quiet hours, also across midnight", () => {
    const morning = candidate("morning_plan", { earliest: monday("09:00"), latest: monday("11:00") });
    const { scheduled } = scheduleNudges(
      [morning],
      timing({}, { quietHours: { start: "08:00", end: "10:15" } }),
    );
    assert.equal(scheduled[0]?.sendAt, monday("10:15"));
    assert.equal(inQuietHours({ start: "21:00", end: "08:00" }, 23 * 60), true);
    assert.equal(inQuietHours({ start: "21:00", end: "08:00" }, 7 * 60 + 59), true);
    assert.equal(inQuietHours({ start: "21:00", end: "08:00" }, 8 * 60), false);
  });

  it("a flexible nudge whose only hour is the one under way goes now, not tomorrow", () => {
    const overload = candidate("overload", {
      earliest: monday("17:10"),
      latest: monday("17:30"),
    });
    const { scheduled, dropped } = scheduleNudges([overload], timing({ now: monday("17:10") }));
    assert.deepEqual(dropped, []);
    assert.equal(scheduled[0]?.sendAt, monday("17:10"));
    assert.equal(scheduled[0]?.sendHour, 17);
  });

  it("drops a nudge whose window has no allowed moment", () => {
    const morning = candidate("morning_plan", { earliest: monday("09:00"), latest: monday("10:00") });
    const result = scheduleNudges(
      [morning],
      timing({ busy: [{ start: monday("08:00"), end: monday("12:00") }] }),
    );
    assert.deepEqual(result.scheduled, []);
    assert.deepEqual(
      result.dropped.map((d) => d.reason),
      ["no_time"],
    );
  });

  it("keeps to the daily cap, the most urgent first, and leaves out kinds the person turned off", () => {
    const all = [candidate("streak"), candidate("overload"), candidate("morning_plan"), candidate("wrap_up")];
    const capped = scheduleNudges(all, timing({ alreadyToday: 1 }, { dailyCap: 3 }));
    assert.deepEqual(
      capped.scheduled.map((n) => n.kind),
      ["morning_plan", "overload"],
    );
    assert.deepEqual(
      capped.dropped.map((d) => [d.kind, d.reason]),
      [
        ["wrap_up", "daily_cap"],
        ["streak", "daily_cap"],
      ],
    );
    const off = scheduleNudges(all, timing({}, { enabledKinds: ["wrap_up"] }));
    assert.deepEqual(
      off.scheduled.map((n) => n.kind),
      ["wrap_up"],
    );
    assert.equal(scheduleNudges(all, timing({}, { dailyCap: 0 })).scheduled.length, 0);
  });

  it("learned send times: flexible nudges go at the hour the pooled bandit favours, the same way every time", () => {
    const overload = candidate("overload", { earliest: monday("09:00"), latest: monday("16:30") });
    const favoured = new Map([
      [9, { sent: 200, acted: 20 }],
      [14, { sent: 200, acted: 150 }],
    ]);
    const first = scheduleNudges([overload], timing({ sendTimes: favoured })).scheduled[0];
    const again = scheduleNudges([overload], timing({ sendTimes: favoured })).scheduled[0];
    assert.equal(first?.sendAt, again?.sendAt);
    const chosen = new Map<number, number>();
    for (let seed = 0; seed < 200; seed++) {
      const hour = chooseSendHour([9, 10, 11, 12, 13, 14, 15, 16], favoured, seed) ?? -1;
      chosen.set(hour, (chosen.get(hour) ?? 0) + 1);
    }
    const at14 = chosen.get(14) ?? 0;
    assert.ok(at14 > 100, `hour 14 chosen ${at14}/200 times: ${JSON.stringify([...chosen])}`);
    assert.equal(chosen.get(9) ?? 0, 0, "the hour that is mostly ignored is not chosen");
    // Without evidence every hour has its chance: the choice explores.
    const hours = new Set<number>();
    for (let seed = 0; seed < 100; seed++) hours.add(chooseSendHour([9, 10, 11, 12], new Map(), seed) ?? -1);
    assert.ok(hours.size >= 3);
  });

  it("decides only what is due within the horizon; later nudges wait for a later evaluation", () => {
    const wrap = candidate("wrap_up");
    const now = timing({ now: monday("09:00"), horizonMs: 60 * 60_000 });
    assert.deepEqual(
      scheduleNudges([wrap], now).dropped.map((d) => d.reason),
      ["later"],
    );
    const soon = timing({ now: monday("16:00"), horizonMs: 60 * 60_000 });
    assert.equal(scheduleNudges([wrap], soon).scheduled[0]?.sendAt, monday("17:00"));
  });

  it("fixed-time nudges (block starting soon) go as early as allowed, not at a learned hour", () => {
    const soon = block({ start: monday("10:00"), end: monday("10:50") });
    const [starting] = nudgeCandidates(snapshot({ now: monday("09:45"), blocks: [soon] })).filter(
      (c) => c.kind === "block_starting",
    );
    assert.ok(starting);
    const favoured = new Map([[15, { sent: 100, acted: 100 }]]);
    assert.equal(
      scheduleNudges([starting], timing({ sendTimes: favoured })).scheduled[0]?.sendAt,
      monday("09:50"),
    );
  });
});
