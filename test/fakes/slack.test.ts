import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { type FakeSlack, startFakeSlack } from "./slack.ts";

describe("fake Slack Web API", () => {
  let slack: FakeSlack;
  before(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: "U1", email: "ada@example.com", tz: "Europe/London", tzOffset: 0 });
  });
  after(() => slack.close());

  const call = async (method: string, body: Record<string, string>, token = slack.botToken) => {
    const res = await fetch(`${slack.apiUrl}${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body).toString(),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body: (await res.json()) as Record<string, unknown>,
    };
  };

  it("answers like slack.com/api: ok envelopes, form bodies with JSON blocks, invalid_auth", async () => {
    const info = await call("users.info", { user: "U1" });
    strictEqual((info.body.user as { profile: { email: string } }).profile.email, "ada@example.com");
    const posted = await call("chat.postMessage", {
      channel: "D1",
      text: "hi",
      blocks: JSON.stringify([{ type: "divider" }]),
    });
    strictEqual(posted.body.ok, true);
    deepStrictEqual(slack.messages.at(-1)?.blocks, [{ type: "divider" }]);
    deepStrictEqual((await call("auth.test", {}, "xoxb-nope")).body, { ok: false, error: "invalid_auth" });
  });

  it("rate-limits with 429 and Retry-After, then serves again", async () => {
    slack.failNext({ status: 429, retryAfterSeconds: 3, match: /chat\.postMessage/ });
    const limited = await call("chat.postMessage", { channel: "D1", text: "x" });
    strictEqual(limited.status, 429);
    strictEqual(limited.retryAfter, "3");
    strictEqual((await call("chat.postMessage", { channel: "D1", text: "x" })).body.ok, true);
  });

  it("installs through oauth.v2.access and rotates tokens", async () => {
    slack.addInstallGrant({
      code: "c1",
      teamId: "T9",
      teamName: "Nine",
      authedUserId: "U9",
      botScopes: "chat:write",
      userScopes: "dnd:write",
      rotate: true,
    });
    const form = { client_id: slack.oauthClient.id, client_secret: slack.oauthClient.secret };
    const installed = (await call("oauth.v2.access", { ...form, code: "c1" }, "")).body;
    ok(String(installed.access_token).startsWith("xoxb-"));
    const refresh = String(installed.refresh_token);
    const rotated = (
      await call("oauth.v2.access", { ...form, grant_type: "refresh_token", refresh_token: refresh }, "")
    ).body;
    ok(String(rotated.access_token).startsWith("xoxb-"));
    strictEqual((await call("auth.test", {}, String(installed.access_token))).body.error, "invalid_auth");
    strictEqual((await call("auth.test", {}, String(rotated.access_token))).body.ok, true);
    const user = (installed.authed_user as { access_token: string }).access_token;
    strictEqual((await call("dnd.setSnooze", { num_minutes: "30" }, user)).body.ok, true);
    ok(typeof slack.snoozes.get("U9") === "number");
  });

  it("Socket Mode: apps.connections.open takes the app token only; the socket says hello and records acks", async () => {
    strictEqual((await call("apps.connections.open", {})).body.error, "not_allowed_token_type");
    strictEqual((await call("auth.test", {}, slack.socket.appToken)).body.error, "not_allowed_token_type");
    const opened = await call("apps.connections.open", {}, slack.socket.appToken);
    strictEqual(opened.body.ok, true);
    const socket = new WebSocket(String(opened.body.url));
    const received: Record<string, unknown>[] = [];
    let hello!: () => void;
    let envelope!: (m: Record<string, unknown>) => void;
    const helloSeen = new Promise<void>((resolve) => {
      hello = resolve;
    });
    const envelopeSeen = new Promise<Record<string, unknown>>((resolve) => {
      envelope = resolve;
    });
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      received.push(message);
      if (message.type === "hello") hello();
      else envelope(message);
    });
    await helloSeen;
    await slack.socket.waitForConnections(1);
    const id = slack.socket.pushEvent({ type: "message", channel_type: "im", text: "hi" }, "Ev1");
    const pushed = await envelopeSeen;
    strictEqual(pushed.envelope_id, id);
    strictEqual(pushed.type, "events_api");
    strictEqual((pushed.payload as { event_id: string }).event_id, "Ev1");
    socket.send(JSON.stringify({ envelope_id: id, payload: {} }));
    deepStrictEqual(await slack.socket.waitForAck(id), { envelopeId: id, payload: {} });
    socket.close();
    await slack.socket.waitForNoConnections();
    ok(received.length >= 2);
  });
});
