/** Which nudges a person's day calls for: each trigger, its window, its buttons and its dedupe key. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Button } from "../../../engine/messaging/message.ts";
import { type NudgeCandidate, nudgeCandidates } from "../../../engine/nudges/triggers.ts";
import { block, friday, monday, snapshot } from "./fixtures.ts";

const ofKind = (list: NudgeCandidate[], kind: NudgeCandidate["kind"]) => list.filter((c) => c.kind === kind);

function buttons(candidate: NudgeCandidate | undefined): Button[] {
  return candidate?.message.parts.flatMap((p) => (p.type === "buttons" ? p.buttons : [])) ?? [];
}

describe("nudge triggers", () => {
  it("morning plan: at the start of the working day, with today's first block and answer buttons", () => {
    const first = block({ start: monday("09:30"), end: monday("11:00"), title: "Draft Q3 report" });
    const [morning] = ofKind(
      nudgeCandidates(snapshot({ now: monday("08:55"), blocks: [first] })),
      "morning_plan",
    );
    assert.ok(morning);
    assert.equal(morning.earliest, monday("09:00"));
    assert.equal(morning.dedupeKey, "morning_plan:2026-03-16");
    assert.match(morning.message.text, /Draft Q3 report/);
    const calls = buttons(morning).map((b) => b.call);
    assert.deepEqual(calls[0], { action: "answer_nudge", input: { nudgeId: morning.id, answer: "done" } });
    assert.deepEqual(calls[1], { action: "snooze_nudge", input: { nudgeId: morning.id, minutes: 30 } });
    assert.deepEqual(calls[2], { action: "answer_nudge", input: { nudgeId: morning.id, answer: "skip" } });
  });

  it("the same trigger on the same subject and day has the same id (one nudge); another day another", () => {
    const a = ofKind(nudgeCandidates(snapshot({ now: monday("09:00") })), "morning_plan")[0];
    const b = ofKind(nudgeCandidates(snapshot({ now: monday("10:30") })), "morning_plan")[0];
    const tuesday = new Date(Date.parse(monday("09:00")) + 86_400_000).toISOString();
    const c = ofKind(nudgeCandidates(snapshot({ now: tuesday })), "morning_plan")[0];
    assert.equal(a?.id, b?.id);
    assert.notEqual(a?.id, c?.id);
    assert.match(a?.id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("block starting soon: ten minutes ahead, with done, snooze, reschedule and skip", () => {
    const soon = block({ start: monday("10:00"), end: monday("10:50"), title: "Budget review" });
    const [starting] = ofKind(
      nudgeCandidates(snapshot({ now: monday("09:45"), blocks: [soon] })),
      "block_starting",
    );
    assert.ok(starting);
    assert.equal(starting.earliest, monday("09:50"));
    assert.equal(starting.blockId, soon.id);
    assert.equal(starting.taskId, soon.taskId);
    assert.match(starting.message.text, /Budget review starts at 10:00 \(50 min\)/);
    assert.deepEqual(
      buttons(starting).map((b) => b.label),
      ["Already done", "Snooze 10 min", "Reschedule", "Skip"],
    );
    assert.equal(
      ofKind(nudgeCandidates(snapshot({ now: monday("09:00"), blocks: [soon] })), "block_starting").length,
      0,
    );
  });

  it("block missed: a planned block not started 15 minutes in; none once its task was started", () => {
    const missed = block({ start: monday("10:00"), end: monday("11:00") });
    const now = monday("10:20");
    const [nudge] = ofKind(nudgeCandidates(snapshot({ now, blocks: [missed] })), "block_missed");
    assert.ok(nudge);
    assert.deepEqual(
      buttons(nudge).map((b) => b.call.input.answer),
      ["done", "reschedule", "skip"],
    );
    const started = snapshot({ now, blocks: [missed], startedTaskIds: [missed.taskId as string] });
    assert.equal(ofKind(nudgeCandidates(started), "block_missed").length, 0);
    const kept = snapshot({ now, blocks: [{ ...missed, status: "accepted" }] });
    assert.equal(ofKind(nudgeCandidates(kept), "block_missed").length, 0);
  });

  it("deadline at risk: due within three days and below the threshold, with its probability", () => {
    const due = new Date(Date.parse(monday("16:00")) + 86_400_000).toISOString();
    const tasks = [
      { id: "00000000-0000-4000-8000-0000000000c1", title: "Slipping", due, probability: 0.3 },
      { id: "00000000-0000-4000-8000-0000000000c2", title: "Fine", due, probability: 0.8 },
      { id: "00000000-0000-4000-8000-0000000000c3", title: "Unknown", due, probability: null },
    ];
    const risky = ofKind(nudgeCandidates(snapshot({ now: monday("09:00"), tasks })), "deadline_at_risk");
    assert.equal(risky.length, 1);
    assert.equal(risky[0]?.taskId, tasks[0]?.id);
    assert.equal(risky[0]?.flexible, true);
    assert.match(risky[0]?.message.text ?? "", /Slipping is due tomorrow 16:00 .* about 30 %/);
  });

  it("overload: due work the plan could not fit, or more planned than free time", () => {
    const fits = snapshot({ now: monday("09:00") });
    assert.equal(ofKind(nudgeCandidates(fits), "overload").length, 0);
    const unscheduled = snapshot({ unscheduled: [{ taskId: "t1", title: "Launch deck" }] });
    assert.match(ofKind(nudgeCandidates(unscheduled), "overload")[0]?.message.text ?? "", /Launch deck/);
    const packed = snapshot({
      meetings: [{ start: monday("09:00"), end: monday("15:00") }],
      blocks: [
        block({ start: monday("15:00"), end: monday("17:30") }),
        block({ start: monday("12:00"), end: monday("14:00") }),
      ],
    });
    assert.equal(ofKind(nudgeCandidates(packed), "overload").length, 1);
  });

  it("wrap-up half an hour before the day ends; weekly review only on the week's last working day", () => {
    const [wrap] = ofKind(nudgeCandidates(snapshot({ now: monday("16:00"), completedToday: 2 })), "wrap_up");
    assert.equal(wrap?.earliest, monday("17:00"));
    assert.match(wrap?.message.text ?? "", /2 tasks done today/);
    assert.equal(ofKind(nudgeCandidates(snapshot({ now: monday("16:00") })), "weekly_review").length, 0);
    const [review] = ofKind(nudgeCandidates(snapshot({ now: friday("13:00") })), "weekly_review");
    assert.equal(review?.dedupeKey, "weekly_review:2026-W12");
    assert.equal(review?.earliest, friday("14:30"));
  });

  it("streaks: on a milestone day with work done", () => {
    assert.equal(ofKind(nudgeCandidates(snapshot({ streakDays: 5, completedToday: 1 })), "streak").length, 1);
    assert.equal(ofKind(nudgeCandidates(snapshot({ streakDays: 4, completedToday: 1 })), "streak").length, 0);
    assert.equal(ofKind(nudgeCandidates(snapshot({ streakDays: 5, completedToday: 0 })), "streak").length, 0);
  });

  it("a day without working hours has no day-level nudges, and nothing is offered after its window", () => {
    const sunday = new Date(Date.parse(monday("10:00")) - 86_400_000).toISOString();
    assert.deepEqual(nudgeCandidates(snapshot({ now: sunday, streakDays: 5, completedToday: 1 })), []);
    const evening = nudgeCandidates(snapshot({ now: monday("18:00") }));
    assert.deepEqual(
      evening.map((c) => c.kind),
      [],
    );
  });
});
