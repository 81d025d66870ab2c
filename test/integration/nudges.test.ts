/**
 * Nudges on every backend: the evaluator schedules them as delayed jobs, delivery goes through the Messenger
 * port once, answers (done, snooze, reschedule, skip) come back as events and act, preferences hold nudges
 * back, bad input gets a 4xx naming the field, and a delivery that keeps failing is recorded with its error.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Actor } from "../../engine/actions/define.ts";
import type { Nudge } from "../../engine/actions/nudges.ts";
import { listPersonEvents } from "../../engine/db/repositories/event-log.ts";
import type { Message } from "../../engine/messaging/message.ts";
import type { Messenger } from "../../engine/messaging/messenger.ts";
import { NUDGE_QUEUE, sweep } from "../../engine/nudges/scheduler.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { RecordingMessenger } from "../support/recording-messenger.ts";

// Monday 16 March 2026, 09:00 UTC: the start of the test people's working day.
const MONDAY_9 = new Date("2026-03-16T09:00:00Z");
const MINUTE = 60_000;

type Who = { token: string } & Actor;

for (const backend of backends()) {
  describe(`nudges (${backend.name})`, { skip: backend.skip }, () => {
    let clock = MONDAY_9;
    let cairn: TestCairn;
    let recorder: RecordingMessenger;
    let serial = 0;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, now: () => clock });
    });
    after(async () => cairn?.close());
    beforeEach(() => {
      clock = MONDAY_9;
      recorder = new RecordingMessenger();
      cairn.engine.services.messenger = recorder;
    });

    async function act<T>(who: Who, action: string, input: unknown): Promise<T> {
      const { status, body } = await cairn.call(who.token, action, input);
      assert.equal(status, 200, `${action}: ${JSON.stringify(body)}`);
      return body as T; // Boundary: the HTTP API answers the action's output schema.
    }

    /** A person of their own workspace, in UTC, working 09:00-17:00 on weekdays. */
    async function person(): Promise<Who> {
      serial += 1;
      const who = await cairn.token({
        workspace: `nudges-${backend.db}-${serial}`,
        email: `p${serial}@acme.test`,
      });
      const day = [{ start: "09:00", end: "17:00" }];
      await act(who, "set_preferences", {
        timezone: "UTC",
        workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
      });
      return who;
    }

    const nudgesOf = async (who: Who, input: Record<string, unknown> = {}) =>
      (await act<{ nudges: Nudge[]; nextCursor: string | null }>(who, "list_nudges", input)).nudges;

    /** Runs the evaluator, then waits until every nudge due by the clock has been handled. */
    async function sweepAndDrain(who: Who): Promise<void> {
      await sweep(cairn.engine.services, { workspaceId: who.workspace.id });
      await waitForDueNudges(who);
    }

    async function waitForDueNudges(who: Who, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const waiting = await nudgesOf(who, { status: ["scheduled", "sending"] });
        if (!waiting.some((n) => Date.parse(n.scheduledFor) <= clock.getTime())) return;
        if (Date.now() > deadline) throw new Error(`nudges still due: ${JSON.stringify(waiting)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    const eventsOf = (who: Who) =>
      cairn.engine.services.db.scoped(who.workspace.id, (tx) =>
        listPersonEvents(tx, who.workspace.id, who.person.id, new Date(0), new Date(Date.now() + 86_400_000)),
      );

    /** The call behind a nudge's button with this answer (or snooze). */
    function button(message: Message | null | undefined, answer: string): { action: string; input: unknown } {
      const buttons = message?.parts.flatMap((p) => (p.type === "buttons" ? p.buttons : [])) ?? [];
      const found = buttons.find(
        (b) => b.call.input.answer === answer || (answer === "snooze" && b.call.action === "snooze_nudge"),
      );
      assert.ok(found, `a ${answer} button in ${JSON.stringify(message)}`);
      return found.call;
    }

    it("the evaluator schedules the morning plan and it is sent once, with a nudge_sent event", async () => {
      const ada = await person();
      await sweepAndDrain(ada);
      const [sent] = recorder.sent;
      assert.ok(sent, "a message went out");
      assert.deepEqual(sent.to, { workspaceId: ada.workspace.id, personId: ada.person.id });
      assert.match(sent.message.text, /^Your day: Nothing is planned for today yet/);
      const [nudge] = await nudgesOf(ada);
      assert.equal(nudge?.kind, "morning_plan");
      assert.equal(nudge?.status, "sent");
      assert.equal(nudge?.channel, "test");
      assert.equal(nudge?.sentAt, MONDAY_9.toISOString());
      assert.deepEqual(button(sent.message, "done").input, { nudgeId: nudge?.id, answer: "done" });

      await sweepAndDrain(ada);
      clock = new Date(MONDAY_9.getTime() + 10 * MINUTE);
      await sweepAndDrain(ada);
      assert.equal(recorder.sent.length, 1, "the same nudge is not sent twice");
      assert.equal((await nudgesOf(ada)).length, 1);
      const logged = (await eventsOf(ada)).filter((e) => e.type === "nudge_sent");
      assert.equal(logged.length, 1);
    });

    it("a button's call answers the nudge: done on a missed block completes its task", async () => {
      const bob = await person();
      const task = await act<{ id: string }>(bob, "create_task", {
        title: "Write the brief",
        estimateMinutes: 60,
        due: "2026-03-20T16:00:00Z",
      });
      const plan = await act<{ blocks: { taskId: string; start: string }[] }>(bob, "plan_day", {});
      const block = plan.blocks.find((b) => b.taskId === task.id);
      assert.ok(block, "the task is planned today");
      clock = new Date(Date.parse(block.start) + 20 * MINUTE);
      await sweepAndDrain(bob);
      const [missed] = await nudgesOf(bob, { status: "sent" }).then((all) =>
        all.filter((n) => n.kind === "block_missed"),
      );
      assert.ok(missed, "a block-missed nudge was sent");
      assert.equal(missed.taskId, task.id);
      const call = button(missed.message, "done");
      const answered = await act<{ nudge: Nudge; message: string }>(bob, call.action, call.input);
      assert.equal(answered.nudge.status, "acted");
      assert.equal(answered.nudge.answer, "done");
      assert.match(answered.message, /Marked “Write the brief” done/);
      assert.equal((await act<{ status: string }>(bob, "get_task", { id: task.id })).status, "done");
      const types = (await eventsOf(bob)).map((e) => e.type);
      assert.ok(types.includes("nudge_acted"));
      assert.ok(types.includes("task_completed"));
    });

    it("reschedule moves the task's block through reschedule_task; skip dismisses", async () => {
      const cy = await person();
      const task = await act<{ id: string }>(cy, "create_task", { title: "Budget", estimateMinutes: 60 });
      const plan = await act<{ blocks: { taskId: string; start: string }[] }>(cy, "plan_day", {});
      const block = plan.blocks.find((b) => b.taskId === task.id);
      assert.ok(block);
      clock = new Date(Date.parse(block.start) + 20 * MINUTE);
      await sweepAndDrain(cy);
      const all = await nudgesOf(cy);
      const missed = all.find((n) => n.kind === "block_missed");
      assert.ok(missed);
      const moved = await act<{ nudge: Nudge; message: string }>(cy, "answer_nudge", {
        nudgeId: missed.id,
        answer: "reschedule",
      });
      assert.equal(moved.nudge.status, "acted");
      assert.match(moved.message, /Moved “Budget” to/);
      assert.ok((await eventsOf(cy)).some((e) => e.type === "block_moved" && e.taskId === task.id));

      // The morning plan waits for the block to end (never during a focus block): skipped before it is sent.
      const other = all.find((n) => n.kind === "morning_plan");
      assert.equal(other?.status, "scheduled");
      assert.ok(other);
      const skipped = await act<{ nudge: Nudge }>(cy, "answer_nudge", { nudgeId: other.id, answer: "skip" });
      assert.equal(skipped.nudge.status, "dismissed");
      assert.ok((await eventsOf(cy)).some((e) => e.type === "nudge_dismissed"));
      const again = await act<{ message: string }>(cy, "answer_nudge", { nudgeId: other.id, answer: "done" });
      assert.match(again.message, /already answered/);
    });

    it("snooze schedules the nudge again as a new delayed job", async () => {
      const dee = await person();
      await sweepAndDrain(dee);
      const [nudge] = await nudgesOf(dee);
      assert.ok(nudge);
      const snoozed = await act<{ nudge: Nudge }>(dee, "snooze_nudge", { nudgeId: nudge.id, minutes: 45 });
      assert.equal(snoozed.nudge.status, "scheduled");
      assert.equal(snoozed.nudge.scheduledFor, new Date(MONDAY_9.getTime() + 45 * MINUTE).toISOString());
      assert.equal(snoozed.nudge.snoozed, 1);
      assert.ok((await cairn.jobs.counts(NUDGE_QUEUE)).delayed >= 1, "its delivery waits in the queue");
      const byAnswer = await act<{ nudge: Nudge }>(dee, "answer_nudge", {
        nudgeId: nudge.id,
        answer: "snooze",
      });
      assert.equal(byAnswer.nudge.scheduledFor, new Date(MONDAY_9.getTime() + 30 * MINUTE).toISOString());
      assert.equal(byAnswer.nudge.snoozed, 2);
      const events = (await eventsOf(dee)).filter((e) => e.type === "nudge_acted");
      assert.equal(events.length, 2);
    });

    it("preferences: kinds turned off and a daily cap of zero hold nudges back", async () => {
      const eve = await person();
      const prefs = await act<{ preferences: { enabledKinds: string[]; dailyCap: number; channel: string } }>(
        eve,
        "set_nudge_preferences",
        { enabledKinds: ["wrap_up"], quietHours: { start: "12:00", end: "13:00" }, channel: "chat" },
      );
      assert.deepEqual(prefs.preferences.enabledKinds, ["wrap_up"]);
      assert.equal(prefs.preferences.dailyCap, 4, "left out: stays at the default");
      await sweepAndDrain(eve);
      assert.deepEqual(await nudgesOf(eve), [], "no morning plan: the kind is off");
      await act(eve, "set_nudge_preferences", { enabledKinds: ["morning_plan"], dailyCap: 0 });
      await sweepAndDrain(eve);
      assert.deepEqual(await nudgesOf(eve), [], "no nudge over the daily cap");
      assert.equal(recorder.sent.length, 0);
    });

    it("bad input gets a 400 or 404 naming the field and the fix", async () => {
      const fay = await person();
      const id = "00000000-0000-4000-8000-000000000000";
      const cases: [string, unknown, number, RegExp][] = [
        ["snooze_nudge", { nudgeId: id }, 400, /minutes/],
        ["snooze_nudge", { nudgeId: id, minutes: 5, until: "2026-03-16T12:00:00Z" }, 400, /until/],
        ["snooze_nudge", { nudgeId: id, minutes: 0 }, 400, /minutes/],
        ["snooze_nudge", { nudgeId: id, minutes: 30 }, 404, /list_nudges/],
        ["answer_nudge", { nudgeId: id, answer: "later" }, 400, /answer/],
        ["answer_nudge", { nudgeId: "not-a-uuid", answer: "done" }, 400, /nudgeId/],
        ["list_nudges", { cursor: "garbage" }, 400, /cursor/],
        ["list_nudges", { status: "pending" }, 400, /status/],
        ["set_nudge_preferences", { dailyCap: 99 }, 400, /dailyCap/],
        ["set_nudge_preferences", { quietHours: { start: "25:00", end: "08:00" } }, 400, /quietHours/],
        ["set_nudge_preferences", { quietHours: { start: "08:00", end: "08:00" } }, 400, /quietHours/],
        ["set_nudge_preferences", { channel: "sms" }, 400, /channel/],
      ];
      for (const [action, input, status, field] of cases) {
        const answer = await cairn.call(fay.token, action, input);
        assert.equal(
          answer.status,
          status,
          `${action} ${JSON.stringify(input)}: ${JSON.stringify(answer.body)}`,
        );
        assert.match(JSON.stringify(answer.body), field, `${action} names the field`);
      }
    });

    it("list_nudges pages newest first and filters by status and since", async () => {
      const gus = await person();
      for (let day = 0; day < 3; day++) {
        clock = new Date(MONDAY_9.getTime() + day * 86_400_000);
        await sweepAndDrain(gus);
      }
      const first = await act<{ nudges: Nudge[]; nextCursor: string | null }>(gus, "list_nudges", {
        limit: 2,
      });
      assert.equal(first.nudges.length, 2);
      assert.ok(first.nextCursor);
      const rest = await act<{ nudges: Nudge[]; nextCursor: string | null }>(gus, "list_nudges", {
        limit: 2,
        cursor: first.nextCursor,
      });
      assert.equal(rest.nudges.length, 1);
      assert.equal(rest.nextCursor, null);
      const times = [...first.nudges, ...rest.nudges].map((n) => n.scheduledFor);
      assert.deepEqual(times, [...times].sort().reverse());
      const recent = await nudgesOf(gus, { since: "2026-03-17T00:00:00Z", status: ["sent"] });
      assert.equal(recent.length, 2);
    });

    it("a delivery that keeps failing is retried, then recorded as failed with its error", async () => {
      const hal = await person();
      let tries = 0;
      const broken: Messenger = {
        async send() {
          tries += 1;
          throw new Error("chat service unavailable (503)");
        },
      };
      cairn.engine.services.messenger = broken;
      await sweep(cairn.engine.services, { workspaceId: hal.workspace.id });
      await waitForDueNudges(hal, 30_000);
      assert.equal(tries, 3, "three tries");
      const [failed] = await nudgesOf(hal, { status: "failed" });
      assert.ok(failed);
      assert.equal(failed.attempts, 3);
      assert.match(failed.error ?? "", /chat service unavailable/);
      assert.equal((await eventsOf(hal)).filter((e) => e.type === "nudge_sent").length, 0);
    });
  });
}
