/**
 * The Teams surface end to end: activities with JWTs signed by a local key (served from a local OpenID
 * metadata/JWKS endpoint) posted to Cairn's real server at POST /api/messages, botbuilder's CloudAdapter
 * checking them, replies captured by a local Bot Connector at the activity's serviceUrl, the member's email read
 * through TeamsInfo, and proactive messages through the stored conversation reference.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { inflateSync } from "node:zlib";
import express from "express";
import { teamsModule, teamsSettings } from "../../../bin/faces/teams.ts";
import { say } from "../../../bots/conversation/message.ts";
import type { TeamsAdapter } from "../../../bots/teams/adapter.ts";
import { crc32 } from "../../../bots/teams/app-package.ts";
import { createTeamsFace, type TeamsFace } from "../../../bots/teams/index.ts";
import { ConversationRateLimiter, TeamsMessenger } from "../../../bots/teams/messenger.ts";
import type { Actor } from "../../../engine/actions/define.ts";
import { conversationStore } from "../../../engine/conversations/memory-store.ts";
import { ensurePerson } from "../../../engine/db/repositories/workspaces.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { type FakeBotFramework, startFakeBotFramework } from "../../fakes/bot-framework.ts";
import { backends, startTestCairn, type TestCairn, testConfig } from "../../support/harness.ts";

// Wednesday 18 March 2026, 09:00 in Berlin.
const NOW = new Date("2026-03-18T08:00:00Z");

interface TaskRow {
  id: string;
  title: string;
  status: string;
  due: string | null;
  estimateMinutes: number | null;
}

type Card = { type: string; version: string; body: Record<string, unknown>[] };

function cardOf(activity: Record<string, unknown>): Card {
  const attachments = activity.attachments as { contentType: string; content: Card }[] | undefined;
  const card = attachments?.find((a) => a.contentType === "application/vnd.microsoft.card.adaptive");
  assert.ok(card, `an Adaptive Card attachment in ${JSON.stringify(activity)}`);
  return card.content;
}

/** Every Action.Submit / Action.Execute in a card, wherever it sits. */
function actionsOf(
  node: unknown,
): { title: string; data: { cairn: { action: string; input: Record<string, unknown> } } }[] {
  if (Array.isArray(node)) return node.flatMap(actionsOf);
  if (typeof node !== "object" || node === null) return [];
  const record = node as Record<string, unknown>;
  const own =
    record.type === "Action.Submit" || record.type === "Action.Execute"
      ? [record as unknown as ReturnType<typeof actionsOf>[number]]
      : [];
  return [...own, ...Object.values(record).flatMap(actionsOf)];
}

const textOfCard = (card: Card) => JSON.stringify(card.body);

for (const backend of backends()) {
  describe(`Teams bot (${backend.name})`, { skip: backend.skip }, () => {
    let fake: FakeBotFramework;
    let cairn: TestCairn;
    let ada: Actor;
    const adaUser = { id: "29:1ada-teams-user", aadObjectId: "00000000-0000-0000-0000-00000000ada1" };
    let activityCount = 0;

    before(async () => {
      fake = await startFakeBotFramework();
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        now: () => NOW,
        env: { ...fake.settings, CAIRN_CHAT_AUTO_PROVISION: "1" },
      });
      const demo = await cairn.engine.actorFor("demo");
      const person = await cairn.engine.services.db.scoped(demo.workspace.id, (tx) =>
        ensurePerson(tx, demo.workspace.id, { email: "ada@example.com", name: "Ada", isAdmin: false }),
      );
      await cairn.engine.call({ workspace: demo.workspace, person }, "http", "set_preferences", {
        timezone: "Europe/Berlin",
      });
      ada = await cairn.engine.actorFor("demo", "ada@example.com");
      fake.addMember({ ...adaUser, name: "Ada Lovelace", email: "ada@example.com" });
    });
    after(async () => {
      await cairn?.close();
      await fake?.close();
    });

    const tasks = async (): Promise<TaskRow[]> =>
      ((await cairn.engine.call(ada, "http", "list_tasks", { limit: 100 })) as { tasks: TaskRow[] }).tasks;

    const activity = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
      type: "message",
      id: `act-${++activityCount}`,
      timestamp: new Date().toISOString(),
      channelId: "msteams",
      serviceUrl: fake.serviceUrl,
      from: { id: adaUser.id, name: "Ada Lovelace", aadObjectId: adaUser.aadObjectId },
      conversation: { id: "a:1personal-chat-ada", conversationType: "personal", tenantId: fake.tenantId },
      recipient: { id: `28:${fake.appId}`, name: "Cairn" },
      channelData: { tenant: { id: fake.tenantId } },
      locale: "en-US",
      localTimezone: "Europe/Berlin",
      ...fields,
    });

    const post = async (body: Record<string, unknown>, authorization?: string) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await fetch(`${cairn.url}/api/messages`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    };
    const signedPost = async (body: Record<string, unknown>) =>
      post(body, await fake.authorization({ serviceUrl: body.serviceUrl as string }));

    it("a personal-chat message adds the task as the person and replies with an Adaptive Card; a button completes it", async () => {
      const before = fake.activities.length;
      const message = activity({ text: "add write the Q3 report by friday 2h" });
      const answer = await signedPost(message);
      assert.equal(answer.status, 200);
      const [reply] = (await fake.waitForActivities(before + 1)).slice(before);
      assert.ok(reply);
      assert.equal(reply.conversationId, "a:1personal-chat-ada");
      assert.equal(reply.replyToId, message.id);
      const created = (await tasks()).find((task) => task.title === "write the Q3 report");
      assert.ok(created, "the task exists");
      assert.equal(created.estimateMinutes, 120);
      assert.equal(created.due, "2026-03-20T16:00:00.000Z");
      const card = cardOf(reply.activity);
      assert.equal(card.version, "1.5");
      assert.match(textOfCard(card), /Added \*\*write the Q3 report\*\*/);
      const done = actionsOf(card).find((a) => a.data.cairn.action === "complete_task");
      assert.ok(done, "a done button");
      assert.deepEqual(done.data.cairn.input, { id: created.id });

      // Action.Submit comes back as a message activity carrying the button's data.
      const click = await signedPost(activity({ text: undefined, value: done.data }));
      assert.equal(click.status, 200);
      const [clickReply] = (await fake.waitForActivities(before + 2)).slice(before + 1);
      assert.ok(clickReply);
      assert.match(textOfCard(cardOf(clickReply.activity)), /write the Q3 report/);
      assert.equal((await tasks()).find((task) => task.id === created.id)?.status, "done");
    });

    it("a redelivered activity (same conversation and activity id) adds the task once and replies once", async () => {
      const before = fake.activities.length;
      const message = activity({ text: "add renew the parking permit" });
      assert.equal((await signedPost(message)).status, 200);
      await fake.waitForActivities(before + 1);
      // Teams resends an activity it got no answer to in time: same id, same conversation.
      const redelivered = await signedPost(message);
      assert.equal(redelivered.status, 200);
      // The first delivery's reply was sent before its answer; a second run would have replied before its own.
      assert.equal(fake.activities.length, before + 1);
      assert.equal((await tasks()).filter((task) => task.title === "renew the parking permit").length, 1);
    });

    it("an Action.Execute invoke runs the call as the clicker and answers with the refreshed card", async () => {
      await cairn.engine.call(ada, "http", "create_task", { title: "book the venue" });
      const task = (await tasks()).find((t) => t.title === "book the venue");
      assert.ok(task);
      const answer = await signedPost(
        activity({
          type: "invoke",
          name: "adaptiveCard/action",
          text: undefined,
          value: {
            action: {
              type: "Action.Execute",
              verb: "cairn",
              data: { cairn: { action: "complete_task", input: { id: task.id } } },
            },
            trigger: "manual",
          },
        }),
      );
      assert.equal(answer.status, 200);
      const body = answer.body as { statusCode: number; type: string; value: Card };
      assert.equal(body.statusCode, 200);
      assert.equal(body.type, "application/vnd.microsoft.card.adaptive");
      assert.equal(body.value.version, "1.5");
      assert.equal((await tasks()).find((t) => t.id === task.id)?.status, "done");
    });

    it("a channel mention is understood without the <at>mention</at>", async () => {
      const before = fake.activities.length;
      const answer = await signedPost(
        activity({
          text: "<at>Cairn</at> add prepare the offsite slides tomorrow 1h",
          conversation: {
            id: "19:general@thread.tacv2;messageid=1700000000000",
            conversationType: "channel",
            tenantId: fake.tenantId,
          },
          entities: [
            { type: "mention", text: "<at>Cairn</at>", mentioned: { id: `28:${fake.appId}`, name: "Cairn" } },
          ],
          channelData: {
            tenant: { id: fake.tenantId },
            team: { id: "19:team@thread.tacv2" },
            channel: { id: "19:general@thread.tacv2" },
          },
        }),
      );
      assert.equal(answer.status, 200);
      await fake.waitForActivities(before + 1);
      assert.ok((await tasks()).some((t) => t.title === "prepare the offsite slides"));
    });

    it("links a new Teams user by AAD email and creates a member (auto-provision on)", async () => {
      fake.addMember({
        id: "29:1grace",
        aadObjectId: "00000000-0000-0000-0000-0000000grace",
        name: "Grace",
        email: "grace@example.com",
      });
      const before = fake.activities.length;
      const answer = await signedPost(
        activity({
          from: { id: "29:1grace", name: "Grace", aadObjectId: "00000000-0000-0000-0000-0000000grace" },
          conversation: {
            id: "a:1personal-chat-grace",
            conversationType: "personal",
            tenantId: fake.tenantId,
          },
          text: "add review the hiring plan",
        }),
      );
      assert.equal(answer.status, 200);
      await fake.waitForActivities(before + 1);
      const grace = await cairn.engine.actorFor("demo", "grace@example.com");
      assert.equal(grace.person.timezone, "Europe/Berlin");
      const graceTasks = (await cairn.engine.call(grace, "http", "list_tasks", { limit: 100 })) as {
        tasks: TaskRow[];
      };
      assert.ok(graceTasks.tasks.some((t) => t.title === "review the hiring plan"));
    });

    it("installed in a personal chat: greets with the help card and can message the person from then on", async () => {
      fake.addMember({
        id: "29:1linus",
        aadObjectId: "00000000-0000-0000-0000-0000000linus",
        name: "Linus",
        email: "linus@example.com",
      });
      const before = fake.activities.length;
      const answer = await signedPost(
        activity({
          type: "conversationUpdate",
          text: undefined,
          from: { id: "29:1linus", name: "Linus", aadObjectId: "00000000-0000-0000-0000-0000000linus" },
          conversation: {
            id: "a:1personal-chat-linus",
            conversationType: "personal",
            tenantId: fake.tenantId,
          },
          membersAdded: [{ id: `28:${fake.appId}` }],
        }),
      );
      assert.equal(answer.status, 200);
      const [welcome] = (await fake.waitForActivities(before + 1)).slice(before);
      assert.ok(welcome);
      assert.equal(welcome.conversationId, "a:1personal-chat-linus");
      assert.match(textOfCard(cardOf(welcome.activity)), /Hi Linus, I'm Cairn/);
      const linus = await cairn.engine.actorFor("demo", "linus@example.com");
      const face = createTeamsFace({
        engine: cairn.engine,
        settings: teamsSettings(cairn.config) ?? assert.fail("Teams settings"),
        workspace: "demo",
        autoProvision: true,
        log: silentLogger,
      });
      const sent = await face.messenger.send(
        { workspaceId: linus.workspace.id, personId: linus.person.id },
        say("Your first plan is ready."),
      );
      assert.equal(sent.ok, true);
      const [proactive] = (await fake.waitForActivities(before + 2)).slice(before + 1);
      assert.equal(proactive?.conversationId, "a:1personal-chat-linus");
    });

    it("with auto-provisioning off, answers an unknown email with a polite refusal and creates no one", async () => {
      const face = createTeamsFace({
        engine: cairn.engine,
        settings: teamsSettings(cairn.config) ?? assert.fail("Teams settings"),
        workspace: "demo",
        autoProvision: false,
        log: silentLogger,
      });
      const app = express();
      app.use(face.router);
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, "127.0.0.1", () => resolve(s));
      });
      try {
        const { port } = server.address() as AddressInfo;
        fake.addMember({ id: "29:1mallory", name: "Mallory", email: "mallory@example.com" });
        const before = fake.activities.length;
        const body = activity({
          from: { id: "29:1mallory", name: "Mallory" },
          conversation: {
            id: "a:1personal-chat-mallory",
            conversationType: "personal",
            tenantId: fake.tenantId,
          },
          text: "add steal the plans",
        });
        const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: await fake.authorization(body) },
          body: JSON.stringify(body),
        });
        assert.equal(response.status, 200);
        const [reply] = (await fake.waitForActivities(before + 1)).slice(before);
        assert.match(String(reply?.activity.text), /not set up in Cairn yet.*mallory@example\.com/);
        await assert.rejects(cairn.engine.actorFor("demo", "mallory@example.com"));
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    for (const [label, auth] of [
      ["missing", async () => undefined],
      [
        "forged (signed by another key)",
        () => fake.authorization({ serviceUrl: fake.serviceUrl }, { forged: true }),
      ],
      ["expired", () => fake.authorization({ serviceUrl: fake.serviceUrl }, { expiresIn: -3600 })],
      [
        "for another bot (wrong audience)",
        () => fake.authorization({ serviceUrl: fake.serviceUrl }, { audience: "some-other-bot" }),
      ],
      [
        "from another issuer",
        () => fake.authorization({ serviceUrl: fake.serviceUrl }, { issuer: "https://evil.example.com" }),
      ],
      ["for another serviceUrl", () => fake.authorization({ serviceUrl: "https://evil.example.com/teams/" })],
      ["not a JWT", async () => "Bearer not-a-token"],
    ] as const) {
      it(`answers 401 to a token that is ${label}, and stores nothing`, async () => {
        const before = fake.activities.length;
        const title = `forged task ${label}`;
        const answer = await post(activity({ text: `add ${title}` }), await auth());
        assert.equal(answer.status, 401);
        assert.deepEqual(
          (await tasks()).filter((t) => t.title.startsWith("forged task")).map((t) => t.title),
          [],
        );
        assert.equal(fake.activities.length, before, "no reply was sent");
      });
    }

    describe("proactive messages", () => {
      let face: TeamsFace;
      const delays: number[] = [];
      before(async () => {
        // Ada writes to the bot herself, so Cairn holds her conversation reference whatever ran before.
        const count = fake.activities.length;
        assert.equal((await signedPost(activity({ text: "help" }))).status, 200);
        await fake.waitForActivities(count + 1);
        // A second Teams face on the same database: a worker process sending a nudge.
        const settings = teamsSettings(cairn.config);
        assert.ok(settings);
        face = createTeamsFace({
          engine: cairn.engine,
          settings,
          workspace: "demo",
          autoProvision: true,
          log: silentLogger,
          messenger: {
            baseDelayMs: 1,
            sleep: async (ms) => {
              delays.push(ms);
            },
          },
        });
      });

      it("reaches the person's personal chat through the stored conversation reference", async () => {
        const before = fake.activities.length;
        const result = await face.messenger.send(
          { workspaceId: ada.workspace.id, personId: ada.person.id },
          say("Focus time starts in 5 minutes: **write the Q3 report**."),
        );
        assert.equal(result.ok, true);
        const [sent] = (await fake.waitForActivities(before + 1)).slice(before);
        assert.ok(sent);
        assert.equal(sent.conversationId, "a:1personal-chat-ada");
        assert.equal(sent.replyToId, undefined);
        assert.match(textOfCard(cardOf(sent.activity)), /Focus time starts in 5 minutes/);
      });

      it("retries a 429 that outlasts the connector client's own retries, then delivers", async () => {
        delays.length = 0;
        const before = fake.activities.length;
        // botbuilder's HTTP pipeline already retries a 429 three times after its Retry-After; a fourth 429
        // reaches the Messenger, which backs off and sends again.
        fake.failNext({ status: 429, retryAfterSeconds: 0, count: 4 });
        const result = await face.messenger.send(
          { workspaceId: ada.workspace.id, personId: ada.person.id },
          say("Your plan for tomorrow is ready."),
        );
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.equal(result.ok && result.attempts, 2);
        assert.equal(delays.length, 1, `one backoff: ${delays.join(",")}`);
        const [sent] = (await fake.waitForActivities(before + 1)).slice(before);
        assert.match(textOfCard(cardOf(sent?.activity ?? {})), /Your plan for tomorrow is ready/);
      });

      it("gives up on a 403 at once and records the failure", async () => {
        delays.length = 0;
        fake.failNext({
          status: 403,
          count: 1,
          body: { error: { code: "BotDisabledByAdmin", message: "disabled" } },
        });
        const result = await face.messenger.send(
          { workspaceId: ada.workspace.id, personId: ada.person.id },
          say("This one is refused."),
        );
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.failure.status, 403);
        assert.equal(delays.length, 0);
        assert.ok(face.messenger.failures.some((f) => f.status === 403));
      });

      it("remembers a delivered nudge in the person's Teams conversation, so 'snooze 30' can answer it", async () => {
        const result = await face.messenger.send(
          { workspaceId: ada.workspace.id, personId: ada.person.id },
          say("Time to start **write the Q3 report**?"),
          { nudgeId: "nudge-teams-1" },
        );
        assert.equal(result.ok, true);
        const key = `teams:${fake.tenantId}:a:1personal-chat-ada`;
        const state = (await conversationStore(cairn.engine.services, ada, key).load()) as {
          lastNudgeId?: string;
        };
        assert.equal(state?.lastNudgeId, "nudge-teams-1");
      });

      it("records a failure for a person who never wrote to the bot", async () => {
        const demo = await cairn.engine.actorFor("demo");
        const nobody = await cairn.engine.services.db.scoped(demo.workspace.id, (tx) =>
          ensurePerson(tx, demo.workspace.id, {
            email: "nobody@example.com",
            name: "Nobody",
            isAdmin: false,
          }),
        );
        const result = await face.messenger.send(
          { workspaceId: demo.workspace.id, personId: nobody.id },
          say("hello"),
        );
        assert.equal(result.ok, false);
        assert.ok(face.messenger.failures.some((f) => f.to === `person ${nobody.id}`));
      });
    });
  });
}

describe("Teams Messenger retries and limits (no network)", () => {
  const reference = {
    serviceUrl: "https://smba.example.com/teams/",
    conversation: { id: "a:1chat", isGroup: false, conversationType: "personal", name: "" },
    channelId: "msteams",
  };
  const failing = (answers: ({ status: number; retryAfter?: string } | "ok")[]) => {
    let calls = 0;
    const adapter = {
      settings: { MicrosoftAppId: "bot" },
      async continueConversationAsync() {
        const answer = answers[calls++] ?? "ok";
        if (answer === "ok") return;
        throw Object.assign(new Error(`status ${answer.status}`), {
          statusCode: answer.status,
          response: {
            headers: { get: (name: string) => (name === "retry-after" ? answer.retryAfter : undefined) },
          },
        });
      },
    } as unknown as TeamsAdapter;
    return { adapter, calls: () => calls };
  };

  it("waits at least Retry-After on a 429, backs off exponentially on 5xx, and stops on a 4xx", async () => {
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
    };
    const stub = failing([{ status: 429, retryAfter: "3" }, { status: 502 }, { status: 503 }, "ok"]);
    const messenger = new TeamsMessenger({
      adapter: stub.adapter,
      findReference: async () => undefined,
      log: silentLogger,
      baseDelayMs: 100,
      sleep,
    });
    const sent = await messenger.send(reference, say("hi"));
    assert.deepEqual(sent, { ok: true, attempts: 4 });
    assert.deepEqual(delays, [3000, 200, 400]);

    const refused = failing([{ status: 403 }]);
    const once = new TeamsMessenger({
      adapter: refused.adapter,
      findReference: async () => undefined,
      log: silentLogger,
      sleep,
    });
    const result = await once.send(reference, say("hi"));
    assert.equal(result.ok, false);
    assert.equal(refused.calls(), 1);
    assert.equal(once.failures[0]?.status, 403);

    const down = failing(Array.from({ length: 10 }, () => ({ status: 500 })));
    const giveUp = new TeamsMessenger({
      adapter: down.adapter,
      findReference: async () => undefined,
      log: silentLogger,
      sleep,
      maxAttempts: 3,
    });
    const gaveUp = await giveUp.send(reference, say("hi"));
    assert.equal(gaveUp.ok, false);
    assert.equal(down.calls(), 3);
    assert.equal(!gaveUp.ok && gaveUp.failure.attempts, 3);
  });

  it("keeps to Teams' per-conversation limits (7 a second, 60 in 30 seconds)", () => {
    const limiter = new ConversationRateLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 7; i++) {
      assert.equal(limiter.delay("c", t0 + i), 0);
      limiter.record("c", t0 + i);
    }
    assert.equal(limiter.delay("c", t0 + 7), 993, "the eighth waits for the first to leave the 1 s window");
    assert.equal(limiter.delay("other", t0 + 7), 0, "another conversation is not held up");
    let now = t0 + 1_000;
    for (let i = 7; i < 60; i++) {
      now += limiter.delay("c", now);
      limiter.record("c", now);
    }
    assert.ok(limiter.delay("c", now) > 1_000, "the 61st waits for the 30 s window");
  });
});

describe("cairn teams-package", () => {
  it("writes a zip with a v1.16 manifest naming the bot and 192/32 px icons", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cairn-teams-package-"));
    try {
      const out = join(dir, "app.zip");
      const config = testConfig({
        MicrosoftAppId: "11111111-2222-3333-4444-555555555555",
        CAIRN_PUBLIC_URL: "https://cairn.example.com",
      });
      const command = teamsModule.commands?.find((c) => c.name === "teams-package");
      assert.ok(command);
      const lines: string[] = [];
      const status = await command.run(["--out", out], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
        config,
      });
      assert.equal(status, 0, lines.join("\n"));
      const files = readZip(await readFile(out));
      assert.deepEqual([...files.keys()].sort(), ["color.png", "manifest.json", "outline.png"]);
      const manifest = JSON.parse(String(files.get("manifest.json"))) as Record<string, unknown>;
      assert.equal(manifest.manifestVersion, "1.16");
      assert.equal(manifest.id, "11111111-2222-3333-4444-555555555555");
      assert.equal((manifest.bots as { botId: string }[])[0]?.botId, "11111111-2222-3333-4444-555555555555");
      assert.deepEqual(manifest.validDomains, ["cairn.example.com"]);
      assert.deepEqual(pngSize(files.get("color.png")), { width: 192, height: 192, transparentPixels: 0 });
      const outline = pngSize(files.get("outline.png"));
      assert.equal(outline.width, 32);
      assert.equal(outline.height, 32);
      assert.ok(outline.transparentPixels > 0, "the outline icon is transparent around the shape");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses without MicrosoftAppId", async () => {
    const command = teamsModule.commands?.find((c) => c.name === "teams-package");
    assert.ok(command);
    const errors: string[] = [];
    const status = await command.run([], { out: () => {}, err: (t) => errors.push(t), config: testConfig() });
    assert.equal(status, 2);
    assert.match(errors.join("\n"), /MicrosoftAppId is not set/);
  });
});

/** Reads a store-only zip through its central directory, checking each file's CRC. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, "an end-of-central-directory record");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    assert.equal(zip.readUInt32LE(offset), 0x04034b50);
    const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = zip.subarray(start, start + size);
    assert.equal(crc32(data), crc, `CRC of ${name}`);
    files.set(name, data);
    at += 46 + nameLength + extra;
  }
  return files;
}

function pngSize(data: Buffer | undefined): { width: number; height: number; transparentPixels: number } {
  assert.ok(data);
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  const idatAt = data.indexOf("IDAT");
  const raw = inflateSync(data.subarray(idatAt + 4, idatAt + 4 + data.readUInt32BE(idatAt - 4)));
  let transparentPixels = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (raw[y * (width * 4 + 1) + 1 + x * 4 + 3] === 0) transparentPixels++;
  return { width, height, transparentPixels };
}
