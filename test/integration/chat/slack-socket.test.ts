/**
 * Slack Socket Mode on a started Cairn (SLACK_APP_TOKEN + SLACK_BOT_TOKEN, no signing secret, no HTTP endpoint):
 * Bolt's SocketModeReceiver asks SLACK_API_URL's apps.connections.open (the local fake Slack) for the socket,
 * connects to the fake's WebSocket server, and an `events_api` envelope pushed over it is acknowledged, creates
 * the task as the person who wrote and gets its reply through chat.postMessage. The same event_id delivered again
 * is acknowledged and acts nothing. On close the socket goes away and nothing keeps the test process alive.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type FakeSlack, startFakeSlack } from "../../fakes/slack.ts";
import { backends, startTestCairn, type TestCairn } from "../../support/harness.ts";

interface TaskRow {
  id: string;
  title: string;
  estimateMinutes: number | null;
  due: string | null;
}

for (const backend of backends()) {
  describe(`Slack Socket Mode (${backend.name})`, { skip: backend.skip }, () => {
    let slack: FakeSlack;
    let cairn: TestCairn | undefined;

    before(async () => {
      slack = await startFakeSlack();
      slack.addUser({ id: "UADA", email: "ada@example.com", realName: "Ada", tz: "Europe/Berlin" });
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        env: {
          SLACK_APP_TOKEN: slack.socket.appToken,
          SLACK_BOT_TOKEN: slack.botToken,
          SLACK_API_URL: slack.apiUrl,
        },
      });
    });
    after(async () => {
      await cairn?.close();
      await slack?.close();
    });

    const dm = (text: string) => ({
      type: "message",
      channel_type: "im",
      channel: "DADA",
      user: "UADA",
      text,
      ts: `${Math.floor(Date.now() / 1000)}.000${randomBytes(2).readUInt16BE()}`,
    });
    const tasks = async (): Promise<TaskRow[]> => {
      assert.ok(cairn);
      const actor = await cairn.engine.actorFor("demo", "ada@example.com");
      return ((await cairn.engine.call(actor, "http", "list_tasks", { limit: 100 })) as { tasks: TaskRow[] })
        .tasks;
    };

    it("opens the socket through SLACK_API_URL's apps.connections.open with the app-level token", async () => {
      await slack.socket.waitForConnections(1);
      const opened = slack.requests.filter((r) => r.path === "/api/apps.connections.open");
      assert.equal(opened.length, 1);
      assert.equal(opened[0]?.headers.authorization, `Bearer ${slack.socket.appToken}`);
      assert.equal(slack.socket.connections, 1);
    });

    it("a DM over the socket is acknowledged, creates the task and is answered with chat.postMessage", async () => {
      const envelope = slack.socket.pushEvent(dm("add write the Q3 report by friday 2h"), "Ev-socket-1");
      const ack = await slack.socket.waitForAck(envelope);
      assert.equal(ack.envelopeId, envelope);
      const [reply] = await slack.waitForMessages(1);
      assert.ok(reply);
      assert.equal(reply.method, "chat.postMessage");
      assert.equal(reply.token, slack.botToken);
      assert.equal(reply.channel, "DADA");
      assert.match(reply.text ?? "", /Added: write the Q3 report/);
      const created = (await tasks()).find((t) => t.title === "write the Q3 report");
      assert.ok(created, "the task exists for the Slack user's person (linked by email)");
      assert.equal(created.estimateMinutes, 120);
      assert.equal(
        new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "Europe/Berlin" }).format(
          new Date(created.due as string),
        ),
        "Friday",
      );
    });

    it("the same event redelivered over the socket is acknowledged and acts nothing", async () => {
      const before = slack.messages.length;
      const envelope = slack.socket.pushEvent(dm("add write the Q3 report by friday 2h"), "Ev-socket-1");
      await slack.socket.waitForAck(envelope);
      // A fresh event after it: once its reply is in, the redelivery has been dealt with (in order, one socket).
      const next = slack.socket.pushEvent(dm("add water the plants tomorrow"), "Ev-socket-2");
      await slack.socket.waitForAck(next);
      const messages = await slack.waitForMessages(before + 1);
      assert.match(messages.at(-1)?.text ?? "", /Added: water the plants/);
      assert.equal((await tasks()).filter((t) => t.title === "write the Q3 report").length, 1);
    });

    it("a dropped socket whose reconnects fail keeps retrying, with no unhandled rejection, and then serves again", async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on("unhandledRejection", onUnhandled);
      try {
        const opensBefore = slack.requests.filter((r) => r.path === "/api/apps.connections.open").length;
        // Eight HTTP errors outlast the Web API client's own retries (four attempts per reconnect), and an HTTP
        // error is one Bolt's Socket Mode client then gives up on for good: before the fix, an unhandled rejection.
        slack.failNext({ match: /apps\.connections\.open/, status: 500, count: 8 });
        slack.socket.dropAll();
        await slack.socket.waitForNoConnections();
        await slack.socket.waitForConnections(1, 60_000);
        const opens =
          slack.requests.filter((r) => r.path === "/api/apps.connections.open").length - opensBefore;
        assert.ok(opens >= 9, `eight failed requests, then one that worked (saw ${opens})`);
        const before = slack.messages.length;
        const envelope = slack.socket.pushEvent(dm("add renew the passport next week"), "Ev-socket-3");
        await slack.socket.waitForAck(envelope);
        const messages = await slack.waitForMessages(before + 1);
        assert.match(messages.at(-1)?.text ?? "", /Added: renew the passport/);
        assert.deepEqual(unhandled, []);
      } finally {
        process.off("unhandledRejection", onUnhandled);
      }
    });

    it("closing Cairn closes the socket", async () => {
      assert.ok(cairn);
      await cairn.close();
      cairn = undefined;
      await slack.socket.waitForNoConnections();
      assert.equal(slack.socket.connections, 0);
    });
  });
}
