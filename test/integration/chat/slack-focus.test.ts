/**
 * Slack focus status on a started Cairn with the OAuth install, against the local fake Slack: a person connects
 * their Slack status (the user-scopes OAuth flow from "connect my Slack status"), a stored plan with a focus
 * block that starts now sets "Focus time until HH:MM" (their zone) and pauses notifications through a job;
 * marking the block done clears both; "stop changing my Slack status" forgets the token. No sleeps: the test
 * waits for the fake's recorded calls.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { FOCUS_QUEUE, isConnectFocusStatus, isStopFocusStatus } from "../../../bots/slack/focus.ts";
import { slackInstallations } from "../../../bots/slack/installations.ts";
import { BOT_SCOPES, USER_SCOPES } from "../../../bots/slack/surface.ts";
import type { Actor } from "../../../engine/actions/define.ts";
import { insertBlock, insertPlan, latestPlanVersion } from "../../../engine/db/repositories/plans.ts";
import { readSlackUserToken } from "../../../engine/db/repositories/slack-user-tokens.ts";
import { type FakeSlack, slackSignatureHeaders, startFakeSlack } from "../../fakes/slack.ts";
import { backends, startTestCairn, type TestCairn } from "../../support/harness.ts";
import { logWatch } from "../../support/log-watch.ts";

const TEAM = "TFOCUS";

for (const backend of backends()) {
  describe(`Slack focus status (${backend.name})`, { skip: backend.skip }, () => {
    const signingSecret = randomBytes(16).toString("hex");
    let slack: FakeSlack;
    let cairn: TestCairn;
    let ivy: Actor;
    let events = 0;
    const watch = logWatch();

    before(async () => {
      slack = await startFakeSlack({ teamId: TEAM, teamName: "Focus Inc" });
      slack.addUser({ id: "UIVY", email: "ivy@focus.example", realName: "Ivy", tz: "Asia/Kolkata" });
      cairn = await startTestCairn({
        log: watch.log,
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
      // The app is installed in the team (the install flow itself is tested in slack.test.ts).
      await slackInstallations(cairn.engine).storeInstallation({
        team: { id: TEAM, name: "Focus Inc" },
        enterprise: undefined,
        user: { id: "UADMIN", token: undefined, scopes: undefined },
        bot: { token: slack.botToken, scopes: BOT_SCOPES, userId: slack.botUserId, id: "B0FAKEBOT" },
        isEnterpriseInstall: false,
        authVersion: "v2",
        tokenType: "bot",
      });
    });
    after(async () => {
      await cairn?.close();
      await slack?.close();
    });

    const dm = async (text: string) => {
      const count = slack.messages.length;
      const body = JSON.stringify({
        team_id: TEAM,
        api_app_id: "A0FAKEAPP",
        type: "event_callback",
        event_id: `Ev-focus-${++events}-${randomBytes(3).toString("hex")}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: TEAM, user_id: slack.botUserId, is_bot: true }],
        event: {
          type: "message",
          channel_type: "im",
          channel: "DIVY",
          user: "UIVY",
          text,
          ts: `${events}.0001`,
        },
      });
      const response = await fetch(`${cairn.url}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...slackSignatureHeaders(body, signingSecret) },
        body,
      });
      await response.body?.cancel();
      assert.equal(response.status, 200);
      const [reply] = (await slack.waitForMessages(count + 1)).slice(count);
      return reply?.text ?? "";
    };

    /** The "connect my Slack status" OAuth flow, as Ivy's browser and Slack would run it. */
    const connectIvy = async (code: string, rotate = false) => {
      const start = await fetch(`${cairn.url}/slack/connect-status`, { redirect: "manual" });
      assert.equal(start.status, 302);
      const location = new URL(start.headers.get("location") ?? "");
      assert.equal(location.searchParams.get("scope"), "");
      assert.equal(location.searchParams.get("user_scope"), USER_SCOPES.join(","));
      const state = location.searchParams.get("state") ?? "";
      const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      slack.addInstallGrant({
        code,
        teamId: TEAM,
        teamName: "Focus Inc",
        authedUserId: "UIVY",
        botScopes: "",
        userScopes: USER_SCOPES.join(","),
        ...(rotate ? { rotate: true } : {}),
      });
      const callback = await fetch(
        `${cairn.url}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`,
        { headers: { cookie } },
      );
      const page = await callback.text();
      assert.equal(callback.status, 200, page);
    };

    const storePlan = async (blocks: { start: Date; end: Date }[]) => {
      const ids = await cairn.engine.services.db.scoped(ivy.workspace.id, async (tx) => {
        const version = (await latestPlanVersion(tx, ivy.person.id)) + 1;
        await insertPlan(tx, {
          workspaceId: ivy.workspace.id,
          personId: ivy.person.id,
          version,
          trigger: "test",
          horizon: { start: new Date().toISOString(), end: new Date(Date.now() + 86_400_000).toISOString() },
          metrics: {},
          unscheduled: [],
        });
        const out: string[] = [];
        for (const block of blocks)
          out.push(
            await insertBlock(tx, ivy.workspace.id, ivy.person.id, version, {
              taskId: null,
              kind: "focus",
              status: "planned",
              start: block.start.toISOString(),
              end: block.end.toISOString(),
              explanation: { reason: "test" },
            }),
          );
        return out;
      });
      cairn.engine.services.changes.notify({
        kind: "plan",
        workspaceId: ivy.workspace.id,
        personId: ivy.person.id,
      });
      return ids;
    };

    it("'connect my Slack status' answers with a link; the user-scopes OAuth grant is stored sealed for the person", async () => {
      const reply = await dm("connect my slack status");
      const link = /<([^|>]+\/slack\/connect-status)\|/.exec(reply)?.[1];
      assert.ok(link, reply);
      ivy = await cairn.engine.actorFor("focus-inc", "ivy@focus.example");
      assert.equal(ivy.person.timezone, "Asia/Kolkata");

      await connectIvy("code-ivy");

      const row = await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        readSlackUserToken(tx, ivy.workspace.id, ivy.person.id),
      );
      assert.equal(row?.slackUserId, "UIVY");
      assert.doesNotMatch(row?.sealed ?? "", /xox[bpe]-/, "no token in the clear");
      const team = await slackInstallations(cairn.engine).fetchInstallation({
        teamId: TEAM,
        isEnterpriseInstall: false,
        enterpriseId: undefined,
      });
      assert.equal(team.bot?.token, slack.botToken, "the team's installation is untouched");
    });

    it("the App Home shows the switch; with BullMQ a stored plan redraws it from a worker's job", async () => {
      const count = slack.views.length;
      if (backend.jobs === "bullmq") {
        await storePlan([
          { start: new Date(Date.now() + 86_400_000), end: new Date(Date.now() + 90_000_000) },
        ]);
      } else {
        const body = JSON.stringify({
          team_id: TEAM,
          api_app_id: "A0FAKEAPP",
          type: "event_callback",
          event_id: `Ev-focus-home-${randomBytes(3).toString("hex")}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ team_id: TEAM, user_id: slack.botUserId, is_bot: true }],
          event: { type: "app_home_opened", user: "UIVY", channel: "DIVY", tab: "home" },
        });
        const response = await fetch(`${cairn.url}/slack/events`, {
          method: "POST",
          headers: { "content-type": "application/json", ...slackSignatureHeaders(body, signingSecret) },
          body,
        });
        await response.body?.cancel();
      }
      const [view] = (await slack.waitForViews(count + 1)).slice(count);
      assert.equal(view?.userId, "UIVY");
      assert.match(JSON.stringify(view?.view), /Stop changing my Slack status/);
    });

    it("a focus block that starts now sets 'Focus time until HH:MM' and pauses notifications; done clears both", async () => {
      const start = new Date(Date.now() - 60_000);
      const end = new Date(Date.now() + 50 * 60_000);
      const later = new Date(Date.now() + 3 * 3600_000);
      const [blockId] = await storePlan([
        { start, end },
        { start: later, end: new Date(later.getTime() + 3600_000) },
      ]);
      const clock = new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: "Asia/Kolkata",
      }).format(end);
      await slack.waitUntil(
        () => slack.profiles.get("UIVY")?.status_text === `Focus time until ${clock}`,
        "the focus status",
      );
      await slack.waitUntil(() => (slack.snoozes.get("UIVY") ?? 0) > 0, "the snooze");
      assert.equal(slack.profiles.get("UIVY")?.status_expiration, Math.floor(end.getTime() / 1000));
      const snoozeEnd = slack.snoozes.get("UIVY") ?? 0;
      assert.ok(Math.abs(snoozeEnd - end.getTime() / 1000) < 120, "paused until the block's end");
      const counts = await cairn.jobs.counts(FOCUS_QUEUE);
      assert.ok(counts.delayed >= 1, "the later block waits for its start");

      await cairn.engine.call(ivy, "slack", "respond_to_block", { blockId, response: "done" });
      await slack.waitUntil(
        () => slack.profiles.get("UIVY")?.status_text === "" && slack.snoozes.get("UIVY") === null,
        "the status cleared",
      );
    });

    it("a block that starts a moment later gets its status when its delayed job fires", async () => {
      const start = new Date(Date.now() + 1500);
      const end = new Date(start.getTime() + 25 * 60_000);
      const [blockId] = await storePlan([{ start, end }]);
      const expiration = Math.floor(end.getTime() / 1000);
      await slack.waitUntil(
        () => slack.profiles.get("UIVY")?.status_expiration === expiration,
        "the status of the later block",
      );
      assert.ok(Date.now() >= start.getTime() - 60_000);
      await cairn.engine.call(ivy, "slack", "respond_to_block", { blockId, response: "done" });
      await slack.waitUntil(() => slack.profiles.get("UIVY")?.status_text === "", "the status cleared");
    });

    it("a block deleted while it runs clears the status too", async () => {
      const [blockId] = await storePlan([
        { start: new Date(Date.now() - 5_000), end: new Date(Date.now() + 1800_000) },
      ]);
      await slack.waitUntil(
        () => /^Focus time until/.test(String(slack.profiles.get("UIVY")?.status_text ?? "")),
        "the focus status",
      );
      await cairn.engine.call(ivy, "slack", "respond_to_block", { blockId, response: "delete" });
      await slack.waitUntil(() => slack.profiles.get("UIVY")?.status_text === "", "the status cleared");
    });

    it("'stop changing my Slack status' forgets the token (the opt-out)", async () => {
      const reply = await dm("stop changing my slack status");
      assert.match(reply, /no longer change your Slack status/);
      const row = await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        readSlackUserToken(tx, ivy.workspace.id, ivy.person.id),
      );
      assert.equal(row, undefined);
      assert.match(await dm("stop changing my slack status"), /was not changing/);
    });

    const sealedOfIvy = async () => {
      const row = await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        readSlackUserToken(tx, ivy.workspace.id, ivy.person.id),
      );
      return JSON.parse(cairn.engine.services.secrets.open(row?.sealed ?? "")) as {
        token: string;
        refreshToken?: string;
        expiresAt?: number;
      };
    };

    it("a token Slack no longer accepts (access removed in Slack) turns the focus status off", async () => {
      await connectIvy("code-ivy-2");
      const row = await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        readSlackUserToken(tx, ivy.workspace.id, ivy.person.id),
      );
      const sealed = JSON.parse(cairn.engine.services.secrets.open(row?.sealed ?? "")) as { token: string };
      slack.revokeToken(sealed.token);
      await storePlan([{ start: new Date(Date.now() - 5_000), end: new Date(Date.now() + 1800_000) }]);
      await watch.waitFor(/focus status turned off/);
      const after = await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        readSlackUserToken(tx, ivy.workspace.id, ivy.person.id),
      );
      assert.equal(after, undefined);
    });

    /** The blocks of the tests before are gone: only the block a test stores now gets a job that sets a status. */
    const clearBlocks = () =>
      cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        tx.query("DELETE FROM blocks WHERE person_id = $1", [ivy.person.id]),
      );

    it("with token rotation, an expired user token is renewed with its refresh token and the status still set", async () => {
      await clearBlocks();
      await connectIvy("code-ivy-rotating", true);
      const first = await sealedOfIvy();
      assert.match(first.refreshToken ?? "", /^xoxe-/);
      assert.ok((first.expiresAt ?? 0) > Date.now() + 11 * 3600_000, "expires in about 12 hours");
      slack.expireToken(first.token);
      const start = new Date(Date.now() - 5_000);
      const end = new Date(Date.now() + 40 * 60_000);
      await storePlan([{ start, end }]);
      const expiration = Math.floor(end.getTime() / 1000);
      await slack.waitUntil(
        () => slack.profiles.get("UIVY")?.status_expiration === expiration,
        "the status set with the renewed token",
      );
      const renewed = await sealedOfIvy();
      assert.notEqual(renewed.token, first.token);
      assert.notEqual(renewed.refreshToken, first.refreshToken, "refresh tokens are single-use");
    });

    it("a rotating token about to expire is renewed before it is used", async () => {
      await clearBlocks();
      const before = await sealedOfIvy();
      // As if ten of its twelve hours had passed: under the two-hour margin.
      const row = await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        readSlackUserToken(tx, ivy.workspace.id, ivy.person.id),
      );
      await cairn.engine.services.db.scoped(ivy.workspace.id, (tx) =>
        tx.query("UPDATE slack_user_tokens SET sealed = $3 WHERE workspace_id = $1 AND person_id = $2", [
          ivy.workspace.id,
          ivy.person.id,
          cairn.engine.services.secrets.seal(JSON.stringify({ ...before, expiresAt: Date.now() + 3600_000 })),
        ]),
      );
      assert.ok(row);
      const end = new Date(Date.now() + 35 * 60_000);
      await storePlan([{ start: new Date(Date.now() - 5_000), end }]);
      const expiration = Math.floor(end.getTime() / 1000);
      await slack.waitUntil(
        () => slack.profiles.get("UIVY")?.status_expiration === expiration,
        "the status set after renewing",
      );
      const after = await sealedOfIvy();
      assert.notEqual(after.token, before.token);
      assert.ok((after.expiresAt ?? 0) > Date.now() + 11 * 3600_000);
    });
  });
}

describe("Slack focus status phrases", () => {
  it("tells the opt-in from the opt-out", () => {
    for (const text of [
      "connect my Slack status",
      "please set my slack status during focus",
      "turn on slack status",
    ])
      assert.ok(isConnectFocusStatus(text) && !isStopFocusStatus(text), text);
    for (const text of [
      "stop changing my Slack status",
      "don't touch my slack status",
      "disconnect slack status",
    ])
      assert.ok(isStopFocusStatus(text) && !isConnectFocusStatus(text), text);
    for (const text of ["add write the Q3 report by friday 2h", "what's my status", "plan my day"])
      assert.ok(!isStopFocusStatus(text) && !isConnectFocusStatus(text), text);
  });
});
