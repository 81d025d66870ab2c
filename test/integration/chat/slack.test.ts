/**
 * The Slack surface on a started Cairn: signed requests (v0 HMAC under the signing secret, as Slack signs
 * them) to the real Bolt receiver at /slack/events, the Web API answered and recorded by the local fake Slack.
 * A DM creates the task and replies in the DM; the same delivery retried creates nothing; a bad signature gets
 * 401 and stores nothing; a button click completes the task; /cairn replies through its response_url; a 429
 * on chat.postMessage is waited out; the App Home tab, the message shortcut and the task modal.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { slackConfigProblem, slackEnabled } from "../../../bin/faces/slack.ts";
import { installWorkers, prepareModules } from "../../../bin/modules/index.ts";
import { say } from "../../../bots/conversation/message.ts";
import { createFocusStatus } from "../../../bots/slack/focus-status.ts";
import { slackInstallations } from "../../../bots/slack/installations.ts";
import { createSlackMessenger } from "../../../bots/slack/messenger.ts";
import { BOT_SCOPES, USER_SCOPES } from "../../../bots/slack/surface.ts";
import { CairnError, ErrorCode } from "../../../engine/errors.ts";
import { silentLogger } from "../../../engine/logger.ts";
import {
  type FakeSlack,
  type PostedMessage,
  slackSignatureHeaders,
  startFakeSlack,
} from "../../fakes/slack.ts";
import {
  backends,
  openTestEngine,
  startTestCairn,
  type TestCairn,
  testConfig,
} from "../../support/harness.ts";
import { logWatch } from "../../support/log-watch.ts";

interface TaskRow {
  id: string;
  title: string;
  status: string;
  estimateMinutes: number | null;
  due: string | null;
}

for (const backend of backends()) {
  describe(`Slack surface (${backend.name})`, { skip: backend.skip }, () => {
    const signingSecret = randomBytes(16).toString("hex");
    let slack: FakeSlack;
    let cairn: TestCairn;
    let watch: ReturnType<typeof logWatch>;

    before(async () => {
      slack = await startFakeSlack();
      slack.addUser({ id: "UADA", email: "ada@example.com", realName: "Ada", tz: "Europe/Berlin" });
      slack.addUser({ id: "UNOMAIL", realName: "No Mail" });
      watch = logWatch();
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        log: watch.log,
        env: slackEnv(),
      });
    });
    const slackEnv = () => ({
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
    });
    after(async () => {
      await cairn?.close();
      await slack?.close();
    });

    const post = async (
      body: string,
      contentType: string,
      headers: Record<string, string> = slackSignatureHeaders(body, signingSecret),
    ) => {
      const started = performance.now();
      const response = await fetch(`${cairn.url}/slack/events`, {
        method: "POST",
        headers: { "content-type": contentType, ...headers },
        body,
      });
      const text = await response.text();
      return { status: response.status, text, ms: performance.now() - started };
    };
    const postEvent = (
      event: Record<string, unknown>,
      eventId: string,
      extra: Record<string, string> = {},
    ) => {
      const body = JSON.stringify({
        token: "legacy",
        team_id: slack.teamId,
        api_app_id: "A0FAKEAPP",
        type: "event_callback",
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: slack.teamId, user_id: slack.botUserId, is_bot: true }],
        event,
      });
      return post(body, "application/json", { ...slackSignatureHeaders(body, signingSecret), ...extra });
    };
    const postForm = (fields: Record<string, string>) =>
      post(new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded");
    const dm = (text: string, user = "UADA") => ({
      type: "message",
      channel_type: "im",
      channel: "DADA",
      user,
      text,
      ts: `${Math.floor(Date.now() / 1000)}.000${randomBytes(2).readUInt16BE()}`,
    });
    /** Ada's tasks: none before her first message brings her into Cairn. */
    const tasks = async (): Promise<TaskRow[]> => {
      const actor = await cairn.engine.actorFor("demo", "ada@example.com").catch((error: unknown) => {
        if (error instanceof CairnError && error.code === ErrorCode.NotFound) return undefined;
        throw error;
      });
      if (!actor) return [];
      return ((await cairn.engine.call(actor, "http", "list_tasks", { limit: 100 })) as { tasks: TaskRow[] })
        .tasks;
    };
    /** Ada writes to the bot, as a person does before Cairn knows their Slack account. */
    const adaWritesToTheBot = async (eventId: string) => {
      const count = slack.messages.length;
      assert.equal((await postEvent(dm("help"), eventId)).status, 200);
      await slack.waitForMessages(count + 1);
    };
    /** The next view with this method after the first `from` (App Home refreshes may come in between). */
    const nextView = async (method: string, from: number) => {
      for (let seen = from + 1; ; seen++) {
        const views = await slack.waitForViews(seen);
        const found = views.slice(from).find((v) => v.method === method);
        if (found) return found;
      }
    };
    const deliveries = (id: string) =>
      cairn.engine.services.db.system(async (tx) => {
        const { rows } = await tx.query("SELECT 1 FROM chat_deliveries WHERE delivery_id = $1", [id]);
        return rows.length;
      });

    /** A task of the test's own, added by a DM: the bot's reply and the task. */
    const addByDm = async (title: string, eventId: string) => {
      const count = slack.messages.length;
      const sent = await postEvent(dm(`add ${title} tomorrow`), eventId);
      assert.equal(sent.status, 200);
      const [reply] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.match(reply?.text ?? "", new RegExp(`Added: ${title}`));
      const task = (await tasks()).find((t) => t.title === title);
      assert.ok(reply && task);
      return { reply, task };
    };

    it("a signed DM creates the task in the person's zone and replies in the DM with Block Kit", async () => {
      const sent = await postEvent(dm("add write the Q3 report by friday 2h"), "Ev-add-1");
      assert.equal(sent.status, 200);
      assert.ok(sent.ms < 3000, `acknowledged in ${sent.ms} ms`);
      const [reply] = await slack.waitForMessages(1);
      assert.ok(reply);
      assert.equal(reply.method, "chat.postMessage");
      assert.equal(reply.channel, "DADA");
      assert.match(reply.text ?? "", /Added: write the Q3 report/);
      const created = (await tasks()).find((t) => t.title === "write the Q3 report");
      assert.ok(created, "the task exists for the Slack user's person (linked by email)");
      assert.equal(created.estimateMinutes, 120);
      // Friday at the end of the day in Berlin (the Slack profile's zone), whatever the day today is.
      const due = new Date(created.due as string);
      assert.equal(
        new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "Europe/Berlin" }).format(due),
        "Friday",
      );
      const actions = (reply.blocks as { type: string; elements?: { value?: string }[] }[]).find(
        (b) => b.type === "actions",
      );
      assert.ok(actions?.elements?.[0]?.value?.includes(created.id), "a Done button carries the task id");
    });

    it("the same delivery retried (X-Slack-Retry-Num: 1, same event_id) acts nothing", async () => {
      await addByDm("renew the domain", "Ev-retry-1");
      const before = slack.messages.length;
      const retried = await postEvent(dm("add renew the domain tomorrow"), "Ev-retry-1", {
        "x-slack-retry-num": "1",
        "x-slack-retry-reason": "http_timeout",
      });
      assert.equal(retried.status, 200);
      await watch.waitFor(
        /slack delivery already handled.*Ev-retry-1|Ev-retry-1.*slack delivery already handled/,
      );
      assert.equal((await tasks()).filter((t) => t.title === "renew the domain").length, 1);
      assert.equal(slack.messages.length, before);
    });

    it("a bad signature gets 401 and stores nothing", async () => {
      const body = JSON.stringify({
        team_id: slack.teamId,
        type: "event_callback",
        event_id: "Ev-forged",
        event: dm("add forged task tomorrow"),
      });
      const forged = await post(body, "application/json", slackSignatureHeaders(body, "not-the-secret"));
      assert.equal(forged.status, 401);
      const stale = await post(
        body,
        "application/json",
        slackSignatureHeaders(body, signingSecret, Math.floor(Date.now() / 1000) - 3600),
      );
      assert.equal(stale.status, 401, "an old timestamp (replay) is refused too");
      assert.equal(await deliveries("Ev-forged"), 0);
      assert.equal((await tasks()).filter((t) => t.title.includes("forged")).length, 0);
    });

    it("a click on Done completes the task, as the person who clicked, and updates the message", async () => {
      const { reply, task } = await addByDm("water the office plants", "Ev-done-1");
      const actions = (reply.blocks as { type: string; elements: Record<string, unknown>[] }[]).find(
        (b) => b.type === "actions",
      );
      const button = actions?.elements[0];
      assert.ok(button);
      const count = slack.messages.length;
      const clicked = await postForm({
        payload: JSON.stringify({
          type: "block_actions",
          user: { id: "UADA", username: "ada", team_id: slack.teamId },
          api_app_id: "A0FAKEAPP",
          token: "legacy",
          container: { type: "message", message_ts: reply.ts, channel_id: "DADA", is_ephemeral: false },
          trigger_id: "1.2.3",
          team: { id: slack.teamId, domain: "acme" },
          channel: { id: "DADA", name: "directmessage" },
          message: { type: "message", ts: reply.ts, text: reply.text, blocks: reply.blocks },
          response_url: slack.responseUrl("DADA"),
          actions: [{ ...button, block_id: "b1", action_ts: "1.0" }],
        }),
      });
      assert.equal(clicked.status, 200);
      const after = await slack.waitForMessages(count + 2);
      const posted = after.slice(count);
      const update = posted.find((m) => m.method === "chat.update");
      assert.ok(update, "the clicked message is updated");
      assert.equal(update.ts, reply.ts);
      const done = posted.find((m) => m.method === "chat.postMessage");
      assert.match(done?.text ?? "", /Marked water the office plants as done/);
      assert.equal((await tasks()).find((t) => t.id === task.id)?.status, "done");
    });

    it("/cairn is acknowledged at once and answered through its response_url", async () => {
      const count = slack.messages.length;
      const ack = await postForm({
        token: "legacy",
        team_id: slack.teamId,
        team_domain: "acme",
        channel_id: "CGEN",
        channel_name: "general",
        user_id: "UADA",
        user_name: "ada",
        command: "/cairn",
        text: "add prepare the offsite agenda tomorrow 45 min",
        api_app_id: "A0FAKEAPP",
        response_url: slack.responseUrl("CGEN"),
        trigger_id: "1.2.4",
      });
      assert.equal(ack.status, 200);
      assert.ok(ack.ms < 3000);
      const [answer] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.equal(answer?.method, "response_url");
      assert.match(answer?.text ?? "", /Added: prepare the offsite agenda/);
      assert.equal(
        (await tasks()).find((t) => t.title === "prepare the offsite agenda")?.estimateMinutes,
        45,
      );
    });

    it("an app mention is answered in its thread; a 429 from chat.postMessage is waited out", async () => {
      const count = slack.messages.length;
      const posts = () => slack.requests.filter((r) => r.path.endsWith("chat.postMessage")).length;
      const postsBefore = posts();
      slack.failNext({ status: 429, retryAfterSeconds: 1, match: /chat\.postMessage/ });
      const ts = `${Math.floor(Date.now() / 1000)}.000200`;
      await postEvent(
        {
          type: "app_mention",
          channel: "CGEN",
          user: "UADA",
          text: `<@${slack.botUserId}> what should I do now`,
          ts,
          team: slack.teamId,
        },
        "Ev-mention-1",
      );
      const [answer] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.equal(answer?.channel, "CGEN");
      assert.equal(answer?.threadTs, ts);
      assert.equal(posts(), postsBefore + 2, "the rate-limited post was tried again");
      await watch.waitFor(/slack call retried/);
    });

    it("someone Cairn cannot identify gets a polite refusal, and nothing is created", async () => {
      const count = slack.messages.length;
      await postEvent(dm("add a task nobody owns tomorrow", "UNOMAIL"), "Ev-nomail-1");
      const [answer] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.match(answer?.text ?? "", /can't see your email/);
    });

    it("the App Home tab shows today's plan with buttons", async () => {
      const count = slack.views.length;
      await postEvent({ type: "app_home_opened", user: "UADA", channel: "DADA", tab: "home" }, "Ev-home-1");
      const home = await nextView("views.publish", count);
      assert.equal(home?.userId, "UADA");
      assert.equal(home?.view.type, "home");
      const text = JSON.stringify(home?.view.blocks);
      assert.match(text, /Add a task/);
    });

    it("Cairn messages a person in their DM, retries a 5xx, and records a delivery that keeps failing", async () => {
      await adaWritesToTheBot("Ev-hello-messenger");
      const messenger = createSlackMessenger({
        engine: cairn.engine,
        log: watch.log,
        apiUrl: slack.apiUrl,
        botTokenFor: async (workspace) => (workspace === "demo" ? slack.botToken : undefined),
        attempts: 3,
        backoffMs: 10,
      });
      const actor = await cairn.engine.actorFor("demo", "ada@example.com");
      const to = { workspaceId: actor.workspace.id, personId: actor.person.id };
      const count = slack.messages.length;
      slack.failNext({ status: 503, match: /chat\.postMessage/ });
      const sent = await messenger.send(to, say("Focus time starts in 5 minutes."));
      assert.equal(sent.ok, true);
      const [nudge] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.equal(nudge?.channel, sent.channel);
      assert.match(nudge?.channel ?? "", /^D/);
      assert.equal(nudge?.text, "Focus time starts in 5 minutes.");
      slack.failNext({ status: 500, count: 3, match: /chat\.postMessage/ });
      const lost = await messenger.send(to, say("This one will not arrive."));
      assert.equal(lost.ok, false);
      assert.equal(lost.attempts, 4, "conversations.open once, chat.postMessage three times");
      await watch.waitFor(/slack delivery failed/);
      assert.equal(slack.messages.length, count + 1);
      const nobody = await messenger.send(
        { workspace: "elsewhere", channel: "C1" },
        say("No workspace serves this."),
      );
      assert.equal(nobody.ok, false);
    });

    it("a worker process, which serves no Slack endpoint, still reaches a person in Slack (nudges run there)", async () => {
      await adaWritesToTheBot("Ev-hello-worker");
      const worker = await openTestEngine({ sharedDb: cairn.engine.services.db, env: slackEnv() });
      try {
        prepareModules(worker.engine, worker.config, silentLogger);
        installWorkers(worker.engine, worker.config, silentLogger);
        const actor = await worker.engine.actorFor("demo", "ada@example.com");
        const count = slack.messages.length;
        const sent = await worker.engine.services.messenger.send(
          { workspaceId: actor.workspace.id, personId: actor.person.id },
          say("Your focus block starts in 5 minutes."),
        );
        assert.deepEqual(sent, { delivered: true, channel: "slack" });
        const [nudge] = (await slack.waitForMessages(count + 1)).slice(count);
        assert.equal(nudge?.text, "Your focus block starts in 5 minutes.");
      } finally {
        await worker.close();
      }
    });

    /**
     * The message shortcut on a channel message (ts `messageTs`), then the task modal it opens submitted with
     * `title` due 2030-01-15, 30 min: the opened view, the submission's answer, and the confirmation posted.
     */
    const addByMessageShortcut = async (title: string, messageTs: string) => {
      const views = slack.views.length;
      await postForm({
        payload: JSON.stringify({
          type: "message_action",
          callback_id: "cairn_create_task_from_message",
          trigger_id: "1.2.5",
          team: { id: slack.teamId, domain: "acme" },
          user: { id: "UADA", name: "ada" },
          channel: { id: "CGEN", name: "general" },
          message: {
            type: "message",
            user: "UBOB",
            text: "Can someone book the venue?",
            ts: messageTs,
          },
          response_url: slack.responseUrl("CGEN"),
        }),
      });
      const opened = await nextView("views.open", views);
      const view = opened?.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
      const count = slack.messages.length;
      const submitted = await postForm({
        payload: JSON.stringify({
          type: "view_submission",
          team: { id: slack.teamId, domain: "acme" },
          user: { id: "UADA", name: "ada", team_id: slack.teamId },
          view: {
            id: "V1",
            type: "modal",
            callback_id: "cairn_task_modal",
            private_metadata: view.private_metadata,
            state: {
              values: {
                title: { value: { type: "plain_text_input", value: title } },
                due: { value: { type: "datepicker", selected_date: "2030-01-15" } },
                estimate: { value: { type: "number_input", value: "30" } },
                priority: { value: { type: "static_select", selected_option: { value: "2" } } },
                description: { value: { type: "plain_text_input", value: null } },
              },
            },
          },
        }),
      });
      const [confirm] = (await slack.waitForMessages(count + 1)).slice(count);
      return { view, submitted, confirm };
    };

    it("the message shortcut opens the task modal; its submission creates the task", async () => {
      const { view, submitted, confirm } = await addByMessageShortcut("Book the venue", "1700000000.000100");
      assert.equal(view.callback_id, "cairn_task_modal");
      assert.match(JSON.stringify(view.blocks), /Can someone book the venue\?/);
      assert.equal(submitted.status, 200);
      assert.equal(confirm?.channel, "CGEN");
      assert.equal(confirm?.threadTs, "1700000000.000100");
      assert.match(confirm?.text ?? "", /Added: Book the venue/);
      const created = (await tasks()).find((t) => t.title === "Book the venue");
      assert.equal(created?.estimateMinutes, 30);
      assert.equal(created?.due, "2030-01-15T16:00:00.000Z");
    });

    it("Edit on a task reply opens the modal filled with the task; saving updates it", async () => {
      const { confirm: reply } = await addByMessageShortcut("Book the caterer", "1700000000.000200");
      assert.ok(reply);
      const actions = (reply.blocks as { type: string; elements: Record<string, unknown>[] }[]).find(
        (b) => b.type === "actions",
      );
      const edit = actions?.elements.find((e) => e.action_id === "cairn_edit_task");
      assert.ok(edit, "the reply has an Edit button");
      const views = slack.views.length;
      await postForm({
        payload: JSON.stringify({
          type: "block_actions",
          user: { id: "UADA", username: "ada", team_id: slack.teamId },
          team: { id: slack.teamId, domain: "acme" },
          trigger_id: "1.2.6",
          channel: { id: "CGEN", name: "general" },
          message: {
            type: "message",
            ts: reply.ts,
            thread_ts: reply.threadTs,
            text: reply.text,
            blocks: reply.blocks,
          },
          container: { type: "message", message_ts: reply.ts, channel_id: "CGEN" },
          response_url: slack.responseUrl("CGEN"),
          actions: [{ ...edit, block_id: "b2", action_ts: "2.0" }],
        }),
      });
      const opened = await nextView("views.open", views);
      const view = opened?.view as { private_metadata: string; blocks: unknown[]; title: { text: string } };
      assert.equal(view.title.text, "Edit task");
      const drawn = JSON.stringify(view.blocks);
      assert.match(drawn, /"initial_value":"Book the caterer"/);
      assert.match(drawn, /"initial_date":"2030-01-15"/);
      assert.match(drawn, /"initial_value":"30"/);
      const count = slack.messages.length;
      await postForm({
        payload: JSON.stringify({
          type: "view_submission",
          team: { id: slack.teamId, domain: "acme" },
          user: { id: "UADA", name: "ada", team_id: slack.teamId },
          view: {
            id: "V2",
            type: "modal",
            callback_id: "cairn_task_modal",
            private_metadata: view.private_metadata,
            state: {
              values: {
                title: { value: { type: "plain_text_input", value: "Book the caterer" } },
                due: { value: { type: "datepicker", selected_date: "2030-01-15" } },
                estimate: { value: { type: "number_input", value: "60" } },
                priority: { value: { type: "static_select", selected_option: { value: "2" } } },
                description: { value: { type: "plain_text_input", value: null } },
              },
            },
          },
        }),
      });
      const [confirm] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.match(confirm?.text ?? "", /Updated: Book the caterer/);
      assert.equal((await tasks()).find((t) => t.title === "Book the caterer")?.estimateMinutes, 60);
    });
  });
}

for (const backend of backends()) {
  describe(`Slack deliveries across processes (${backend.name})`, { skip: backend.skip }, () => {
    const signingSecret = randomBytes(16).toString("hex");
    let slack: FakeSlack;
    let first: TestCairn;
    let second: TestCairn;
    let watch: ReturnType<typeof logWatch>;

    before(async () => {
      slack = await startFakeSlack();
      slack.addUser({ id: "UGRACE", email: "grace@example.com", realName: "Grace", tz: "Europe/Paris" });
      watch = logWatch();
      const env = {
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_API_URL: slack.apiUrl,
      };
      first = await startTestCairn({ db: backend.db, jobs: backend.jobs, log: watch.log, env });
      // A second web process on the same database.
      second = await startTestCairn({
        sharedDb: first.engine.services.db,
        log: watch.log,
        env,
        startWorkers: false,
      });
    });
    after(async () => {
      await second?.close();
      await first?.close();
      await slack?.close();
    });

    it("the same event delivered to two processes at once is acted on once", async () => {
      const body = JSON.stringify({
        team_id: slack.teamId,
        type: "event_callback",
        event_id: "Ev-twice-1",
        event_time: Math.floor(Date.now() / 1000),
        event: {
          type: "message",
          channel_type: "im",
          channel: "DGRACE",
          user: "UGRACE",
          text: "add call the bank tomorrow",
          ts: "2.000001",
        },
      });
      const deliver = async (url: string, retry?: string) => {
        const response = await fetch(`${url}/slack/events`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...slackSignatureHeaders(body, signingSecret),
            ...(retry ? { "x-slack-retry-num": retry, "x-slack-retry-reason": "http_timeout" } : {}),
          },
          body,
        });
        await response.body?.cancel();
        return response.status;
      };
      const statuses = await Promise.all([deliver(first.url), deliver(second.url, "1")]);
      assert.deepEqual(statuses, [200, 200]);
      await slack.waitForMessages(1);
      await watch.waitFor(/slack delivery already handled/);
      const actor = await first.engine.actorFor("demo", "grace@example.com");
      const { tasks } = (await first.engine.call(actor, "http", "list_tasks", { limit: 100 })) as {
        tasks: TaskRow[];
      };
      assert.equal(tasks.filter((t) => t.title === "call the bank").length, 1);
      assert.equal(slack.messages.length, 1);
    });
  });
}

describe("Slack configuration", () => {
  it("is off without a signing secret or app token, and names what is missing", () => {
    assert.equal(slackEnabled(testConfig()), false);
    const only = testConfig({ SLACK_SIGNING_SECRET: "s" });
    assert.equal(slackEnabled(only), true);
    assert.match(slackConfigProblem(only) ?? "", /SLACK_BOT_TOKEN/);
    assert.equal(
      slackConfigProblem(testConfig({ SLACK_SIGNING_SECRET: "s", SLACK_BOT_TOKEN: "xoxb-1" })),
      undefined,
    );
    assert.match(
      slackConfigProblem(testConfig({ SLACK_SIGNING_SECRET: "s", SLACK_CLIENT_ID: "1.2" })) ?? "",
      /together/,
    );
    assert.equal(testConfig().CAIRN_CHAT_AUTO_PROVISION, true);
    assert.equal(testConfig({ CAIRN_CHAT_AUTO_PROVISION: "0" }).CAIRN_CHAT_AUTO_PROVISION, false);
  });
});

describe("Slack app manifest", () => {
  it("asks for the scopes, events, command, shortcut and URLs the surface uses", () => {
    const manifest = readFileSync(new URL("../../../bots/slack/manifest.yml", import.meta.url), "utf8");
    for (const scope of [...BOT_SCOPES, ...USER_SCOPES]) assert.match(manifest, new RegExp(`- ${scope}\\n`));
    for (const event of ["app_home_opened", "app_mention", "message.im"])
      assert.match(manifest, new RegExp(`- ${event}\\n`));
    assert.match(manifest, /command: \/cairn\n/);
    assert.match(manifest, /callback_id: cairn_create_task_from_message\n/);
    assert.match(manifest, /request_url: https:\/\/cairn\.example\.com\/slack\/events\n/);
    assert.match(manifest, /- https:\/\/cairn\.example\.com\/slack\/oauth_redirect\n/);
    assert.match(manifest, /home_tab_enabled: true/);
  });
});

for (const backend of backends()) {
  describe(`Slack OAuth install (${backend.name})`, { skip: backend.skip }, () => {
    const signingSecret = randomBytes(16).toString("hex");
    let slack: FakeSlack;
    let cairn: TestCairn;

    before(async () => {
      slack = await startFakeSlack({ teamId: "TGLOBEX", teamName: "Globex" });
      slack.addUser({ id: "UHANK", email: "hank@globex.example", realName: "Hank", tz: "America/Chicago" });
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        env: {
          SLACK_SIGNING_SECRET: signingSecret,
          SLACK_API_URL: slack.apiUrl,
          SLACK_CLIENT_ID: slack.oauthClient.id,
          SLACK_CLIENT_SECRET: slack.oauthClient.secret,
          SLACK_STATE_SECRET: randomBytes(16).toString("hex"),
        },
      });
    });
    after(async () => {
      await cairn?.close();
      await slack?.close();
    });

    const dmFromHank = async (eventId: string, text: string) => {
      const body = JSON.stringify({
        team_id: "TGLOBEX",
        api_app_id: "A0FAKEAPP",
        type: "event_callback",
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: "TGLOBEX", user_id: "UTGLOBEXBOT", is_bot: true }],
        event: { type: "message", channel_type: "im", channel: "DHANK", user: "UHANK", text, ts: "1.000001" },
      });
      const response = await fetch(`${cairn.url}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...slackSignatureHeaders(body, signingSecret) },
        body,
      });
      await response.body?.cancel();
      return response.status;
    };

    /** Globex installs the app (a fresh install, fresh tokens) through /slack/install and /slack/oauth_redirect. */
    const installGlobex = async (code: string) => {
      const install = await fetch(`${cairn.url}/slack/install`, { redirect: "manual" });
      const location = new URL(install.headers.get("location") ?? "");
      const state = location.searchParams.get("state") ?? "";
      const cookie = (install.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      slack.addInstallGrant({
        code,
        teamId: "TGLOBEX",
        teamName: "Globex",
        authedUserId: "UHANK",
        botScopes: BOT_SCOPES.join(","),
        userScopes: USER_SCOPES.join(","),
        rotate: true,
      });
      const callback = await fetch(
        `${cairn.url}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`,
        { headers: { cookie } },
      );
      const page = await callback.text();
      assert.equal(callback.status, 200, page);
      return { install, location };
    };

    it("installs through /slack/install and /slack/oauth_redirect, stores the installation sealed", async () => {
      const { install, location } = await installGlobex("code-1");
      assert.equal(install.status, 302);
      assert.equal(location.searchParams.get("client_id"), slack.oauthClient.id);
      assert.match(location.searchParams.get("scope") ?? "", /chat:write/);
      assert.match(location.searchParams.get("user_scope") ?? "", /users\.profile:write/);
      const rows = await cairn.engine.services.db.system(async (tx) => {
        const { rows } = await tx.query<{ sealed: string }>(
          "SELECT sealed FROM chat_installations WHERE provider = 'slack' AND installation_key = 'team:TGLOBEX'",
        );
        return rows;
      });
      assert.equal(rows.length, 1);
      assert.doesNotMatch(rows[0]?.sealed ?? "", /xox[bpe]-/, "no token in the clear");
      const installation = await slackInstallations(cairn.engine).fetchInstallation({
        teamId: "TGLOBEX",
        isEnterpriseInstall: false,
        enterpriseId: undefined,
      });
      assert.match(installation.bot?.token ?? "", /^xoxb-/);
      assert.match(installation.user.token ?? "", /^xoxp-/);
    });

    it("answers a DM in the installed team with its bot token, in the team's workspace", async () => {
      await installGlobex("code-2");
      const count = slack.messages.length;
      assert.equal(await dmFromHank("Ev-globex-1", "add send the Globex invoice tomorrow 30m"), 200);
      const [reply] = (await slack.waitForMessages(count + 1)).slice(count);
      assert.match(reply?.text ?? "", /Added: send the Globex invoice/);
      const installation = await slackInstallations(cairn.engine).fetchInstallation({
        teamId: "TGLOBEX",
        isEnterpriseInstall: false,
        enterpriseId: undefined,
      });
      assert.equal(reply?.token, installation.bot?.token);
      const actor = await cairn.engine.actorFor("globex", "hank@globex.example");
      assert.equal(actor.person.timezone, "America/Chicago");
    });

    it("focus status: the installer's user token sets 'Focus time until …' and pauses notifications, then clears both", async () => {
      await installGlobex("code-3");
      const installation = await slackInstallations(cairn.engine).fetchInstallation({
        teamId: "TGLOBEX",
        isEnterpriseInstall: false,
        enterpriseId: undefined,
      });
      const userToken = installation.user.token as string;
      const focus = createFocusStatus({ log: silentLogger, apiUrl: slack.apiUrl });
      const until = new Date(Date.now() + 90 * 60_000);
      assert.equal(await focus.start(userToken, { until, timezone: "America/Chicago" }), true);
      const clock = new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: "America/Chicago",
      }).format(until);
      assert.equal(slack.profiles.get("UHANK")?.status_text, `Focus time until ${clock}`);
      assert.ok((slack.snoozes.get("UHANK") ?? 0) > Date.now() / 1000 + 80 * 60);
      assert.equal(await focus.end(userToken), true);
      assert.equal(slack.profiles.get("UHANK")?.status_text, "");
      assert.equal(slack.snoozes.get("UHANK"), null);
      assert.equal(
        await focus.start(installation.bot?.token as string, { until, timezone: "UTC" }),
        false,
        "a bot token cannot set a person's status",
      );
    });

    it("refreshes an expiring bot token (token rotation) and keeps the new one", async () => {
      await installGlobex("code-4");
      const store = slackInstallations(cairn.engine);
      const query = { teamId: "TGLOBEX", isEnterpriseInstall: false, enterpriseId: undefined };
      const before = await store.fetchInstallation(query);
      assert.ok(before.bot?.refreshToken, "the install came with a refresh token");
      const bot = before.bot;
      await store.storeInstallation({
        ...before,
        bot: { ...bot, expiresAt: Math.floor(Date.now() / 1000) + 60 },
      });
      const count = slack.messages.length;
      assert.equal(await dmFromHank("Ev-globex-2", "help"), 200);
      const [reply] = (await slack.waitForMessages(count + 1)).slice(count);
      const after = await store.fetchInstallation(query);
      assert.notEqual(after.bot?.token, before.bot?.token);
      assert.equal(reply?.token, after.bot?.token);
      assert.ok((after.bot?.expiresAt ?? 0) > Date.now() / 1000 + 3600);
      assert.equal(after.user.token, before.user.token, "the user token is kept");
    });
  });
}

export type { PostedMessage };
