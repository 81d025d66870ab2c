/**
 * A nudge reaches a person where they chat, and their click comes back: Slack (signed requests to the real Bolt
 * receiver, the Web API faked), Teams (JWT-signed activities to the real CloudAdapter, the Bot Connector faked)
 * and the terminal chat. Each time: the evaluator decides the morning plan, it arrives with its buttons, a click
 * answers it (the nudge is acted on, a nudge_acted event is logged); in Teams a typed "snooze 30" answers the
 * nudge it last delivered.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { enginePort } from "../../bots/conversation/engine-port.ts";
import type { Message } from "../../bots/conversation/message.ts";
import { terminalMessenger } from "../../bots/terminal/messenger.ts";
import { runTerminalChat } from "../../bots/terminal/session.ts";
import type { Actor } from "../../engine/actions/define.ts";
import type { Nudge } from "../../engine/actions/nudges.ts";
import { listPersonEvents } from "../../engine/db/repositories/event-log.ts";
import { ensurePerson } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import { firstReachable } from "../../engine/messaging/route.ts";
import { sweep } from "../../engine/nudges/scheduler.ts";
import { type FakeBotFramework, startFakeBotFramework } from "../fakes/bot-framework.ts";
import { type FakeSlack, slackSignatureHeaders, startFakeSlack } from "../fakes/slack.ts";
import { openTestEngine, startTestCairn, type TestCairn, type TestEngine } from "../support/harness.ts";

// Monday 16 March 2026, 09:00 UTC: the start of the working day.
const NOW = new Date("2026-03-16T09:00:00Z");
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

const loggedTypes = async (engine: Engine, actor: Actor) =>
  (
    await engine.services.db.scoped(actor.workspace.id, (tx) =>
      listPersonEvents(
        tx,
        actor.workspace.id,
        actor.person.id,
        new Date(0),
        new Date(Date.now() + 86_400_000),
      ),
    )
  ).map((e) => e.type);

describe("a nudge in Slack", () => {
  const signingSecret = randomBytes(16).toString("hex");
  let slack: FakeSlack;
  let cairn: TestCairn;

  before(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: "UADA", email: "ada@example.com", realName: "Ada", tz: "UTC" });
    cairn = await startTestCairn({
      now: () => NOW,
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

  const post = (body: string, contentType: string) =>
    fetch(`${cairn.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": contentType, ...slackSignatureHeaders(body, signingSecret) },
      body,
    });

  it("arrives as a DM with buttons; a click on Got it answers it", async () => {
    const hello = JSON.stringify({
      token: "legacy",
      team_id: slack.teamId,
      api_app_id: "A0FAKEAPP",
      type: "event_callback",
      event_id: "Ev-nudge-hello",
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: slack.teamId, user_id: slack.botUserId, is_bot: true }],
      event: {
        type: "message",
        channel_type: "im",
        channel: "DADA",
        user: "UADA",
        text: "help",
        ts: "1.0001",
      },
    });
    assert.equal((await post(hello, "application/json")).status, 200);
    await slack.waitForMessages(1);
    const ada = await cairn.engine.actorFor("demo", "ada@example.com");
    await workingInUtc(cairn.engine, ada);

    const count = slack.messages.length;
    await sweep(cairn.engine.services, { workspaceId: ada.workspace.id });
    const [nudge] = (await slack.waitForMessages(count + 1)).slice(count);
    assert.ok(nudge);
    const channel = nudge.channel ?? "";
    assert.match(channel, /^D/);
    assert.match(nudge.text ?? "", /^Your day:/);
    const actions = (nudge.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find(
      (b) => b.type === "actions",
    );
    const gotIt = actions?.elements?.find((e) => JSON.stringify(e).includes("Got it"));
    assert.ok(gotIt, `a Got it button in ${JSON.stringify(nudge.blocks)}`);
    const sent = await waitFor(async () => {
      const [n] = await nudgesOf(cairn.engine, ada);
      return n?.status === "sent" ? n : undefined;
    }, "the nudge to be recorded as sent");
    assert.equal(sent.channel, "slack");

    const click = new URLSearchParams({
      payload: JSON.stringify({
        type: "block_actions",
        user: { id: "UADA", username: "ada", team_id: slack.teamId },
        api_app_id: "A0FAKEAPP",
        token: "legacy",
        container: { type: "message", message_ts: nudge.ts, channel_id: channel, is_ephemeral: false },
        trigger_id: "1.2.3",
        team: { id: slack.teamId, domain: "acme" },
        channel: { id: channel, name: "directmessage" },
        message: { type: "message", ts: nudge.ts, text: nudge.text, blocks: nudge.blocks },
        response_url: slack.responseUrl(channel),
        actions: [{ ...gotIt, block_id: "b1", action_ts: "1.0" }],
      }),
    }).toString();
    assert.equal((await post(click, "application/x-www-form-urlencoded")).status, 200);
    const acted = await waitFor(async () => {
      const [n] = await nudgesOf(cairn.engine, ada);
      return n?.status === "acted" ? n : undefined;
    }, "the nudge to be answered");
    assert.equal(acted.answer, "done");
    assert.ok((await loggedTypes(cairn.engine, ada)).includes("nudge_acted"));
  });
});

/** Every Action.Submit in an activity's card, wherever it sits. */
function actionsOf(node: unknown): { title: string; data: Record<string, unknown> }[] {
  if (Array.isArray(node)) return node.flatMap(actionsOf);
  if (typeof node !== "object" || node === null) return [];
  const record = node as Record<string, unknown>;
  const own =
    record.type === "Action.Submit" && typeof record.title === "string"
      ? [{ title: record.title, data: (record.data ?? {}) as Record<string, unknown> }]
      : [];
  return [...own, ...Object.values(record).flatMap(actionsOf)];
}

describe("a nudge in Teams", () => {
  let fake: FakeBotFramework;
  let cairn: TestCairn;
  let ada: Actor;
  const adaUser = { id: "29:1ada-teams-user", aadObjectId: "00000000-0000-0000-0000-00000000ada1" };
  let serial = 0;

  before(async () => {
    fake = await startFakeBotFramework();
    cairn = await startTestCairn({
      now: () => NOW,
      env: { ...fake.settings, CAIRN_CHAT_AUTO_PROVISION: "1" },
    });
    const demo = await cairn.engine.actorFor("demo");
    const person = await cairn.engine.services.db.scoped(demo.workspace.id, (tx) =>
      ensurePerson(tx, demo.workspace.id, { email: "ada@example.com", name: "Ada", isAdmin: false }),
    );
    ada = { workspace: demo.workspace, person };
    await workingInUtc(cairn.engine, ada);
    fake.addMember({ ...adaUser, name: "Ada Lovelace", email: "ada@example.com" });
  });
  after(async () => {
    await cairn?.close();
    await fake?.close();
  });

  const activity = (fields: Record<string, unknown>): Record<string, unknown> => ({
    type: "message",
    id: `nudge-act-${++serial}`,
    timestamp: new Date().toISOString(),
    channelId: "msteams",
    serviceUrl: fake.serviceUrl,
    from: { id: adaUser.id, name: "Ada Lovelace", aadObjectId: adaUser.aadObjectId },
    conversation: { id: "a:1personal-chat-ada", conversationType: "personal", tenantId: fake.tenantId },
    recipient: { id: `28:${fake.appId}`, name: "Cairn" },
    channelData: { tenant: { id: fake.tenantId } },
    locale: "en-US",
    ...fields,
  });
  const send = async (body: Record<string, unknown>) => {
    const response = await fetch(`${cairn.url}/api/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: await fake.authorization({ serviceUrl: body.serviceUrl as string }),
      },
      body: JSON.stringify(body),
    });
    await response.text();
    return response.status;
  };

  it("arrives as an Adaptive Card; its button answers it, and a typed 'snooze 30' snoozes the last one", async () => {
    let count = fake.activities.length;
    assert.equal(await send(activity({ text: "help" })), 200);
    await fake.waitForActivities(count + 1);

    count = fake.activities.length;
    await sweep(cairn.engine.services, { workspaceId: ada.workspace.id });
    const [card] = (await fake.waitForActivities(count + 1)).slice(count);
    assert.ok(card);
    const text = JSON.stringify(card.activity);
    assert.match(text, /Your day/);
    const submit = actionsOf(card.activity).find((a) => a.title === "Skip");
    assert.ok(submit, `a Skip button in ${text}`);
    const sent = await waitFor(async () => {
      const [n] = await nudgesOf(cairn.engine, ada);
      return n?.status === "sent" ? n : undefined;
    }, "the nudge to be recorded as sent");
    assert.equal(sent.channel, "teams");

    // A typed "snooze 30" answers the nudge the conversation last received.
    count = fake.activities.length;
    assert.equal(await send(activity({ text: "snooze 30" })), 200);
    const [reply] = (await fake.waitForActivities(count + 1)).slice(count);
    assert.match(JSON.stringify(reply?.activity), /Snoozed until/);
    const [snoozed] = await nudgesOf(cairn.engine, ada);
    assert.equal(snoozed?.status, "scheduled");
    assert.equal(snoozed?.snoozed, 1);

    // Action.Submit comes back as a message activity carrying the button's data.
    count = fake.activities.length;
    assert.equal(await send(activity({ text: undefined, value: submit.data })), 200);
    await fake.waitForActivities(count + 1);
    const [skipped] = await nudgesOf(cairn.engine, ada);
    assert.equal(skipped?.status, "dismissed");
    const types = await loggedTypes(cairn.engine, ada);
    assert.ok(
      types.includes("nudge_sent") && types.includes("nudge_acted") && types.includes("nudge_dismissed"),
    );
  });
});

describe("a nudge in the terminal chat", () => {
  let t: TestEngine;
  before(async () => {
    t = await openTestEngine({ now: () => NOW });
  });
  after(async () => t?.close());

  it("is printed into the open session; typing its number answers it", async () => {
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
    const delivered: Message[] = [];
    const session = runTerminalChat(
      enginePort(t.engine, ada, "terminal", "test:terminal-nudge"),
      {
        input,
        output,
        style: { color: false, width: 80 },
        greeting: "hello",
        subscribe: (deliver) =>
          terminal.attach(ada.person.id, (message) => {
            delivered.push(message);
            deliver(message);
          }),
      },
      (error) => String(error),
    );
    await sweep(t.engine.services, { workspaceId: ada.workspace.id });
    await waitFor(async () => (delivered.length > 0 ? true : undefined), "the nudge in the terminal");
    const choice = /\[(\d+)\] Got it/.exec(printed)?.[1];
    assert.ok(choice, `a numbered Got it in:\n${printed}`);
    input.write(`${choice}\n`);
    const acted = await waitFor(async () => {
      const [n] = await nudgesOf(t.engine, ada);
      return n?.status === "acted" ? n : undefined;
    }, "the answer");
    assert.equal(acted.channel, "terminal");
    input.end();
    await session;
    assert.match(printed, /Noted\./);
  });
});
