/**
 * Typed answers to a nudge: right after a nudge arrives, "snooze 2h", "snooze until 3pm", "skip", "done" and
 * "reschedule to tomorrow" typed in a Slack DM (signed events to the real Bolt receiver, the Web API faked) or in
 * `cairn chat` act on the most recent nudge sent to the person, through snooze_nudge and answer_nudge, and the
 * reply says which nudge and what happened. With no recent nudge, the reply says so.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { enginePort } from "../../bots/conversation/engine-port.ts";
import { terminalMessenger } from "../../bots/terminal/messenger.ts";
import { runTerminalChat } from "../../bots/terminal/session.ts";
import type { Actor } from "../../engine/actions/define.ts";
import type { Nudge } from "../../engine/actions/nudges.ts";
import { listPersonEvents } from "../../engine/db/repositories/event-log.ts";
import type { Engine } from "../../engine/engine.ts";
import { firstReachable } from "../../engine/messaging/route.ts";
import { sweep } from "../../engine/nudges/scheduler.ts";
import { type FakeSlack, slackSignatureHeaders, startFakeSlack } from "../fakes/slack.ts";
import { openTestEngine, startTestCairn, type TestCairn, type TestEngine } from "../support/harness.ts";

// Monday 16 March 2026, 09:00 UTC: the start of the working day.
const MONDAY_9 = new Date("2026-03-16T09:00:00Z");
const MINUTE = 60_000;
const DAY = [{ start: "09:00", end: "17:00" }];
const WEEK = { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY };

async function workingInUtc(engine: Engine, actor: Actor): Promise<void> {
  await engine.call(actor, "cli", "set_preferences", { timezone: "UTC", workingHours: WEEK });
}

const nudgesOf = async (engine: Engine, actor: Actor) =>
  ((await engine.call(actor, "cli", "list_nudges", {})) as { nudges: Nudge[] }).nudges;

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sweeps, then waits until the nudge of `kind` has been sent. */
async function nudgeSent(engine: Engine, actor: Actor, kind: Nudge["kind"]): Promise<Nudge> {
  await sweep(engine.services, { workspaceId: actor.workspace.id });
  return waitFor(async () => {
    const found = (await nudgesOf(engine, actor)).find((n) => n.kind === kind && n.status === "sent");
    return found;
  }, `a sent ${kind} nudge`);
}

/** A task planned today, and the start of its block. */
async function plannedTask(
  engine: Engine,
  actor: Actor,
  title: string,
): Promise<{ id: string; start: string }> {
  const task = (await engine.call(actor, "cli", "create_task", {
    title,
    estimateMinutes: 60,
    due: "2026-03-20T16:00:00Z",
  })) as { id: string };
  const plan = (await engine.call(actor, "cli", "plan_day", {})) as {
    blocks: { taskId: string; start: string }[];
  };
  const block = plan.blocks.find((b) => b.taskId === task.id);
  assert.ok(block, `${title} is planned today`);
  return { id: task.id, start: block.start };
}

describe("typed answers to a nudge in Slack", () => {
  const signingSecret = randomBytes(16).toString("hex");
  let slack: FakeSlack;
  let cairn: TestCairn;
  let clock = MONDAY_9;
  let serial = 0;

  before(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: "UADA", email: "ada@example.com", realName: "Ada", tz: "UTC" });
    cairn = await startTestCairn({
      now: () => clock,
      env: {
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_API_URL: slack.apiUrl,
      },
    });
  });
  after(async () => {
    await cairn?.close();
    await slack?.close();
  });

  /** A DM from Ada; resolves with Cairn's reply text. */
  async function dm(text: string): Promise<string> {
    serial += 1;
    const count = slack.messages.length;
    const body = JSON.stringify({
      token: "legacy",
      team_id: slack.teamId,
      api_app_id: "A0FAKEAPP",
      type: "event_callback",
      event_id: `Ev-typed-${serial}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: slack.teamId, user_id: slack.botUserId, is_bot: true }],
      event: { type: "message", channel_type: "im", channel: "DADA", user: "UADA", text, ts: `2.${serial}` },
    });
    const response = await fetch(`${cairn.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...slackSignatureHeaders(body, signingSecret) },
      body,
    });
    assert.equal(response.status, 200);
    const [reply] = (await slack.waitForMessages(count + 1)).slice(count);
    return reply?.text ?? "";
  }

  it("snooze 2h, snooze until 3pm and skip act on the last nudge; without one the reply says so", async () => {
    assert.match(
      await dm("snooze 30"),
      /There is no nudge to answer right now: nothing Cairn sent you in the last 12 hours.*"my nudges"/,
    );
    const ada = await cairn.engine.actorFor("demo", "ada@example.com");
    await workingInUtc(cairn.engine, ada);

    const count = slack.messages.length;
    const morning = await nudgeSent(cairn.engine, ada, "morning_plan");
    await slack.waitForMessages(count + 1);
    assert.equal(morning.channel, "slack");

    assert.match(await dm("snooze 2h"), /^Morning plan nudge: Snoozed until 2026-03-16 11:00 UTC/);
    let [nudge] = await nudgesOf(cairn.engine, ada);
    assert.equal(nudge?.id, morning.id);
    assert.equal(nudge?.status, "scheduled");
    assert.equal(nudge?.scheduledFor, "2026-03-16T11:00:00.000Z");

    assert.match(await dm("snooze until 3pm"), /^Morning plan nudge: Snoozed until 2026-03-16 15:00 UTC/);
    [nudge] = await nudgesOf(cairn.engine, ada);
    assert.equal(nudge?.scheduledFor, "2026-03-16T15:00:00.000Z");
    assert.equal(nudge?.snoozed, 2);

    assert.match(await dm("skip"), /^Morning plan nudge: Skipped\./);
    [nudge] = await nudgesOf(cairn.engine, ada);
    assert.equal(nudge?.status, "dismissed");
    assert.equal(nudge?.answer, "skip");

    // Answered: nothing recent is waiting any more.
    assert.match(await dm("snooze 30"), /There is no nudge to answer right now/);
    const types = (
      await cairn.engine.services.db.scoped(ada.workspace.id, (tx) =>
        listPersonEvents(tx, ada.workspace.id, ada.person.id, new Date(0), new Date(Date.now() + 86_400_000)),
      )
    ).map((e) => e.type);
    assert.equal(types.filter((t) => t === "nudge_acted").length, 2, "two snoozes");
    assert.ok(types.includes("nudge_dismissed"));
  });

  it("done right after a missed-block nudge completes its task; reschedule to tomorrow moves the next one", async () => {
    const ada = await cairn.engine.actorFor("demo", "ada@example.com");
    clock = MONDAY_9;
    const brief = await plannedTask(cairn.engine, ada, "Write the brief");
    clock = new Date(Date.parse(brief.start) + 20 * MINUTE);
    let count = slack.messages.length;
    const missed = await nudgeSent(cairn.engine, ada, "block_missed");
    await slack.waitForMessages(count + 1);
    assert.equal(missed.taskId, brief.id);

    assert.match(await dm("done"), /^Block missed nudge: Marked “Write the brief” done\./);
    const task = (await cairn.engine.call(ada, "cli", "get_task", { id: brief.id })) as { status: string };
    assert.equal(task.status, "done");
    assert.equal((await nudgesOf(cairn.engine, ada)).find((n) => n.id === missed.id)?.answer, "done");

    const budget = await plannedTask(cairn.engine, ada, "Budget review");
    clock = new Date(Math.max(Date.parse(budget.start), clock.getTime()) + 20 * MINUTE);
    count = slack.messages.length;
    const next = await nudgeSent(cairn.engine, ada, "block_missed");
    await slack.waitForMessages(count + 1);
    assert.equal(next.taskId, budget.id);
    assert.match(await dm("reschedule to tomorrow"), /^Block missed nudge: Moved “Budget review” to .*Tue/);
    const answered = (await nudgesOf(cairn.engine, ada)).find((n) => n.id === next.id);
    assert.equal(answered?.status, "acted");
    assert.equal(answered?.answer, "reschedule");
    const schedule = (await cairn.engine.call(ada, "cli", "get_schedule", {
      from: "2026-03-17T00:00:00Z",
      to: "2026-03-18T00:00:00Z",
    })) as { blocks: { taskId: string | null }[] };
    assert.ok(
      schedule.blocks.some((b) => b.taskId === budget.id),
      "its focus time is tomorrow",
    );
  });
});

describe("typed answers to a nudge in the terminal chat", () => {
  let t: TestEngine;
  before(async () => {
    t = await openTestEngine({ now: () => MONDAY_9 });
  });
  after(async () => t?.close());

  it("'snooze 30' right after the nudge snoozes it; 'done' answers it", async () => {
    const ada = await t.engine.actorFor("demo");
    await workingInUtc(t.engine, ada);
    const terminal = terminalMessenger();
    t.engine.services.messenger = firstReachable([t.engine.services.messenger, terminal]);
    const { nudgesModule } = await import("../../bin/workers/nudges.ts");
    nudgesModule.installWorkers?.(t.engine, t.config, t.engine.services.log);
    await t.jobs.start();

    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    let delivered = 0;
    const session = runTerminalChat(
      enginePort(t.engine, ada, "terminal", "test:terminal-typed"),
      {
        input,
        output,
        style: { color: false, width: 120 },
        greeting: "hello",
        subscribe: (deliver) =>
          terminal.attach(ada.person.id, (message) => {
            delivered += 1;
            deliver(message);
          }),
      },
      (error) => String(error),
    );
    const printedMatch = (pattern: RegExp, what: string) =>
      waitFor(async () => (pattern.test(printed) ? true : undefined), what);

    input.write("skip\n");
    await printedMatch(/There is no nudge to answer right now/, "the no-nudge reply");
    await sweep(t.engine.services, { workspaceId: ada.workspace.id });
    await waitFor(async () => (delivered > 0 ? true : undefined), "the nudge in the terminal");
    const [sent] = await nudgesOf(t.engine, ada);
    assert.equal(sent?.status, "sent");

    input.write("snooze 30\n");
    await printedMatch(/Morning plan nudge: Snoozed until 2026-03-16 09:30 UTC/, "the snooze reply");
    const [snoozed] = await nudgesOf(t.engine, ada);
    assert.equal(snoozed?.status, "scheduled");
    assert.equal(snoozed?.scheduledFor, "2026-03-16T09:30:00.000Z");

    input.write("done\n");
    await printedMatch(/Morning plan nudge: Noted\./, "the done reply");
    const [acted] = await nudgesOf(t.engine, ada);
    assert.equal(acted?.status, "acted");
    assert.equal(acted?.answer, "done");
    input.end();
    await session;
  });
});
