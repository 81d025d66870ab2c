/**
 * The console's admin API as the pages use it, with roles checked on the server: an owner invites a
 * member by setting their password, changes roles (audited), reads the overview (and retries a failed
 * job), people, workspace insights, the audit log page by page, nudges and the bots page; a member sees
 * only their own week, insights and nudges and is refused every admin endpoint and admin action.
 * Runs on every backend.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DateTime } from "luxon";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { insertBlock } from "../../engine/db/repositories/plans.ts";
import { UnrecoverableJobError } from "../../engine/jobs/port.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

const PASSWORD = "correct horse battery";

/** Polls a condition the test cannot be told about (a queue's state), up to a bound of tries, not a clock. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await condition()) return;
    await sleep(20);
  }
  assert.fail(`gave up waiting for ${what}`);
}
const TEST_QUEUE = "console-test";

interface Person {
  id: string;
  email: string;
  role: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

for (const backend of backends()) {
  describe(`Console admin API and roles (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let owner: ConsoleClient;
    let member: ConsoleClient;
    let ownerId: string;
    let memberId: string;
    const workspace = `console-${randomUUID().slice(0, 6)}`;
    const memberEmail = `member-${randomUUID().slice(0, 6)}@example.com`;

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        startWorkers: false,
        console: { queues: [TEST_QUEUE] },
      });
      const ownerEmail = `owner-${randomUUID().slice(0, 6)}@example.com`;
      const created = await createOrResetOwner(cairn.engine.services.db, {
        workspace,
        email: ownerEmail,
        password: PASSWORD,
      });
      ownerId = created.person.id;
      memberId = (await issueApiToken(cairn.engine.services.db, { workspace, email: memberEmail })).person.id;
      owner = new ConsoleClient(cairn.url);
      await owner.signIn(ownerEmail, PASSWORD);
      const invited = await owner.request("POST", `/admin/api/people/${memberId}/password`, {
        password: "member password 1",
      });
      assert.equal(invited.status, 204, JSON.stringify(invited.body));
      member = new ConsoleClient(cairn.url);
      await member.signIn(memberEmail, "member password 1");
    });
    after(() => cairn?.close());

    it("refuses a member every admin endpoint and admin action", async () => {
      const refused = [
        ["GET", "/admin/api/overview"],
        ["GET", "/admin/api/people"],
        ["GET", "/admin/api/audit"],
        ["GET", "/admin/api/insights/workspace"],
        ["GET", `/admin/api/people/${ownerId}/schedule`],
        ["GET", `/admin/api/people/${ownerId}/insights`],
        ["GET", `/admin/api/nudges?personId=${ownerId}`],
        ["PATCH", `/admin/api/people/${memberId}`],
        ["POST", `/admin/api/people/${ownerId}/password`],
        ["POST", `/admin/api/jobs/${TEST_QUEUE}/1/retry`],
        ["GET", "/admin/api/connections/google/oauth"],
        ["POST", "/admin/api/connections/google/oauth"],
      ] as const;
      for (const [method, path] of refused) {
        const body =
          method === "GET"
            ? undefined
            : method === "PATCH"
              ? { role: "admin" }
              : { password: "x".repeat(12) };
        const answer = await member.request(method, path, body);
        assert.equal(answer.status, 403, `${method} ${path}: ${JSON.stringify(answer.body)}`);
        assert.equal(typeof answer.body.detail, "string");
      }
      const adminAction = await member.request("POST", "/api/actions/add_person", { email: "x@example.com" });
      assert.equal(adminAction.status, 403, "admin-scope actions are refused for members");
      const mappingChange = await member.request("POST", "/api/actions/update_connection", {
        connection: randomUUID(),
        settings: { estimateUnit: "minutes" },
      });
      assert.equal(mappingChange.status, 403, "members cannot change a connection's mapping");
    });

    it("shows a member their own week, insights and nudges", async () => {
      const me = await member.request<{ user: { role: string; personId: string } }>(
        "GET",
        "/admin/api/session",
      );
      assert.equal(me.body.user.role, "member");
      assert.equal(me.body.user.personId, memberId);
      const schedule = await member.request<{ blocks: unknown[]; timezone: string }>(
        "GET",
        `/admin/api/people/${memberId}/schedule?from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z`,
      );
      assert.equal(schedule.status, 200, JSON.stringify(schedule.body));
      assert.ok(Array.isArray(schedule.body.blocks));
      const insights = await member.request<{ score: { value: number } }>(
        "GET",
        `/admin/api/people/${memberId}/insights`,
      );
      assert.equal(insights.status, 200, JSON.stringify(insights.body));
      assert.equal(typeof insights.body.score.value, "number");
      const nudges = await member.request<Page<unknown>>("GET", "/admin/api/nudges");
      assert.equal(nudges.status, 200);
      assert.deepEqual(nudges.body, { items: [], nextCursor: null });
      const bad = await member.request("GET", `/admin/api/people/${memberId}/schedule?from=monday`);
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /from/);
    });

    it("lets an owner list people, change a role (audited) and page through the audit log", async () => {
      const people = await owner.request<Page<Person>>("GET", "/admin/api/people?limit=10");
      assert.equal(people.status, 200);
      const roles = Object.fromEntries(people.body.items.map((p) => [p.id, p.role]));
      assert.equal(roles[ownerId], "owner");
      assert.equal(roles[memberId], "member");

      const first = await owner.request<Page<Person>>("GET", "/admin/api/people?limit=1");
      assert.equal(first.body.items.length, 1);
      assert.ok(first.body.nextCursor);
      const second = await owner.request<Page<Person>>(
        "GET",
        `/admin/api/people?limit=1&cursor=${first.body.nextCursor}`,
      );
      assert.notEqual(second.body.items[0]?.id, first.body.items[0]?.id);

      const promoted = await owner.request<Person>("PATCH", `/admin/api/people/${memberId}`, {
        role: "admin",
        timezone: "Europe/Berlin",
      });
      assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
      assert.equal(promoted.body.role, "admin");
      assert.equal((promoted.body as unknown as { timezone: string }).timezone, "Europe/Berlin");
      const demoted = await owner.request<Person>("PATCH", `/admin/api/people/${memberId}`, {
        role: "member",
      });
      assert.equal(demoted.body.role, "member");
      const lastOwner = await owner.request("PATCH", `/admin/api/people/${ownerId}`, { role: "member" });
      assert.equal(lastOwner.status, 400, "the last owner cannot be demoted");
      const badRole = await owner.request("PATCH", `/admin/api/people/${memberId}`, { role: "boss" });
      assert.equal(badRole.status, 400);
      assert.match(JSON.stringify(badRole.body), /role/);

      const changes = await owner.request<Page<{ action: string; target: string; detail: { to?: string } }>>(
        "GET",
        "/admin/api/audit?action=role_change",
      );
      assert.deepEqual(
        changes.body.items.map((e) => [e.action, e.target, e.detail.to]),
        [
          ["role_change", memberEmail, "member"],
          ["role_change", memberEmail, "admin"],
        ],
      );
      const all = await owner.request<Page<{ action: string }>>("GET", "/admin/api/audit?limit=2");
      assert.equal(all.body.items.length, 2);
      assert.ok(all.body.nextCursor);
      const rest = await owner.request<Page<{ action: string }>>(
        "GET",
        `/admin/api/audit?limit=100&cursor=${all.body.nextCursor}`,
      );
      const actions = [...all.body.items, ...rest.body.items].map((e) => e.action);
      for (const expected of ["console_owner_set", "console_sign_in", "console_password_set", "role_change"])
        assert.ok(actions.includes(expected), `audit has ${expected}: ${actions.join(", ")}`);
      const badCursor = await owner.request("GET", "/admin/api/audit?cursor=nonsense");
      assert.equal(badCursor.status, 400);
      assert.match(JSON.stringify(badCursor.body), /cursor/);
    });

    it("shows the overview with this workspace's failed job, and retries it", async () => {
      const { jobs } = cairn.engine.services;
      const runs = new Map<string, number>();
      jobs.handle(TEST_QUEUE, async (job) => {
        const run = (runs.get(job.id) ?? 0) + 1;
        runs.set(job.id, run);
        if (run === 1) throw new UnrecoverableJobError("the source said no");
      });
      await jobs.start();
      const session = await owner.request<{ user: { workspace: { id: string } } }>(
        "GET",
        "/admin/api/session",
      );
      const foreign = await jobs.enqueue(TEST_QUEUE, "sync", { workspaceId: randomUUID() }, { attempts: 1 });
      const own = await jobs.enqueue(
        TEST_QUEUE,
        "sync",
        { workspaceId: session.body.user.workspace.id },
        { attempts: 1 },
      );
      await waitFor("both jobs to fail", async () => (await jobs.failed(TEST_QUEUE)).length === 2);

      const overview = await owner.request<{
        database: { ok: boolean; kind: string; latencyMs: number };
        queue: { ok: boolean; kind: string; queues: { name: string; failed: number }[] };
        connections: unknown[];
        failedJobs: { id: string; queue: string; error: string; attempts: number }[];
        recentErrors: { source: string; message: string }[];
      }>("GET", "/admin/api/overview");
      assert.equal(overview.status, 200);
      assert.equal(overview.body.database.ok, true);
      assert.equal(overview.body.database.kind, backend.db);
      assert.equal(typeof overview.body.database.latencyMs, "number");
      assert.deepEqual(
        {
          ok: overview.body.queue.ok,
          kind: overview.body.queue.kind,
          name: overview.body.queue.queues[0]?.name,
        },
        { ok: true, kind: backend.jobs, name: TEST_QUEUE },
      );
      assert.deepEqual(overview.body.connections, []);
      assert.deepEqual(
        overview.body.failedJobs.map((j) => [j.id, j.queue, j.error, j.attempts]),
        [[own, TEST_QUEUE, "the source said no", 1]],
        "another workspace's failed job is not shown",
      );
      assert.ok(overview.body.recentErrors.some((e) => e.message === "the source said no"));

      const notOurs = await owner.request("POST", `/admin/api/jobs/${TEST_QUEUE}/${foreign}/retry`);
      assert.equal(notOurs.status, 404);
      const retried = await owner.request("POST", `/admin/api/jobs/${TEST_QUEUE}/${own}/retry`);
      assert.equal(retried.status, 202, JSON.stringify(retried.body));
      await waitFor("the retried job to run", () => runs.get(own) === 2);
      const twice = await owner.request("POST", `/admin/api/jobs/${TEST_QUEUE}/${own}/retry`);
      assert.equal(twice.status, 404, "a job that succeeded on retry is not failed any more");
      const unknownQueue = await owner.request("POST", "/admin/api/jobs/nope/1/retry");
      assert.equal(unknownQueue.status, 404);
    });

    it("answers a person's insights beside the aggregate (the Insights page's one request), to admins only", async () => {
      const task = await member.request("POST", "/api/actions/create_task", {
        title: "Insights beside the aggregate",
        estimateMinutes: 45,
      });
      assert.equal(task.status, 200, JSON.stringify(task.body));
      type Answer = { people: number; person?: Record<string, unknown> & { open: number; asOf: string } };
      const both = await owner.request<Answer>("GET", `/admin/api/insights/workspace?personId=${memberId}`);
      assert.equal(both.status, 200, JSON.stringify(both.body));
      assert.equal(both.body.people, 2, "the aggregate is still there");
      const alone = await owner.request<Answer["person"]>("GET", `/admin/api/people/${memberId}/insights`);
      assert.equal(alone.status, 200, JSON.stringify(alone.body));
      assert.equal(both.body.person?.open, 1, "the member's task counts");
      const { asOf: _both, ...fromAggregate } = both.body.person ?? { asOf: "" };
      const { asOf: _alone, ...fromPerson } = alone.body ?? { asOf: "" };
      assert.deepEqual(fromAggregate, fromPerson, "the same answer as the person's own endpoint");
      const without = await owner.request<Answer>("GET", "/admin/api/insights/workspace");
      assert.equal(without.body.person, undefined, "no person unless asked for");

      const refused = await member.request("GET", `/admin/api/insights/workspace?personId=${memberId}`);
      assert.equal(refused.status, 403, "a member gets no aggregate, even beside their own insights");
      const malformed = await owner.request("GET", "/admin/api/insights/workspace?personId=someone");
      assert.equal(malformed.status, 400);
      assert.match(JSON.stringify(malformed.body), /person id/);
      const stranger = await owner.request("GET", `/admin/api/insights/workspace?personId=${randomUUID()}`);
      assert.equal(stranger.status, 404);
    });

    it("answers a person's kept focus by weekday and local hour, to them and to admins", async () => {
      const session = await owner.request<{ user: { workspace: { id: string } } }>(
        "GET",
        "/admin/api/session",
      );
      const workspaceId = session.body.user.workspace.id;
      // Kept focus two days ago, 10:15–11:00 UTC (one local hour in the member's zone), and a routine, which
      // does not count.
      const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      await cairn.engine.services.db.scoped(workspaceId, async (tx) => {
        for (const kind of ["task", "habit"] as const) {
          await insertBlock(tx, workspaceId, memberId, 0, {
            taskId: null,
            start: `${day}T10:15:00Z`,
            end: `${day}T11:00:00Z`,
            kind,
            status: "done",
            explanation: { reason: "test" },
          });
        }
      });
      const mine = await member.request<{ timezone: string; weeks: number; grid: number[][] }>(
        "GET",
        `/admin/api/people/${memberId}/kept-focus`,
      );
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.equal(mine.body.weeks, 4, JSON.stringify(mine.body));
      assert.equal(mine.body.grid.length, 7);
      const local = DateTime.fromISO(`${day}T10:15:00Z`).setZone(mine.body.timezone);
      assert.equal(mine.body.grid[local.weekday - 1]?.[local.hour], 45, `in ${mine.body.timezone}`);
      assert.equal(
        mine.body.grid.flat().reduce((a, b) => a + b, 0),
        45,
        "the routine is left out",
      );
      const byAdmin = await owner.request("GET", `/admin/api/people/${memberId}/kept-focus?weeks=1`);
      assert.deepEqual(
        byAdmin.body,
        { ...mine.body, weeks: 1 },
        "an admin reads it too (a week back is enough)",
      );
      const others = await member.request("GET", `/admin/api/people/${ownerId}/kept-focus`);
      assert.equal(others.status, 403, "a member sees only their own");
      const bad = await owner.request("GET", `/admin/api/people/${memberId}/kept-focus?weeks=0`);
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /weeks/);
    });

    it("answers workspace insights as aggregates, and the bots page with this server's MCP URL", async () => {
      const insights = await owner.request<{
        people: number;
        peakHeatmap: number[][];
        burnoutTrend: { date: string; avgRisk: number }[];
        scoreTrend: { date: string; avgScore: number }[];
        effort: { medianMultiplier: number | null; people: number };
      }>("GET", "/admin/api/insights/workspace");
      assert.equal(insights.status, 200, JSON.stringify(insights.body));
      assert.equal(insights.body.people, 2);
      assert.equal(insights.body.peakHeatmap.length, 7);
      assert.ok(insights.body.peakHeatmap.every((row) => row.length === 24));
      assert.equal(insights.body.scoreTrend.length, 1, "today's snapshot");
      assert.ok(!JSON.stringify(insights.body).includes(memberEmail), "no person's details");

      const bots = await member.request<{
        slack: { configured: boolean; installUrl: string | null; installations: unknown[] };
        teams: { configured: boolean; packageUrl: string | null };
        mcp: { url: string; snippets: Record<string, string> };
      }>("GET", "/admin/api/bots");
      assert.equal(bots.status, 200);
      assert.equal(bots.body.mcp.url, `${cairn.url}/mcp`);
      assert.deepEqual(Object.keys(bots.body.mcp.snippets).sort(), [
        "claudeCode",
        "claudeDesktop",
        "cursor",
        "vscode",
      ]);
      assert.ok(bots.body.mcp.snippets.claudeCode?.includes(`${cairn.url}/mcp`));
      assert.equal(
        JSON.parse(bots.body.mcp.snippets.cursor ?? "{}").mcpServers.cairn.url,
        `${cairn.url}/mcp`,
      );
      assert.equal(bots.body.slack.configured, false);
      assert.equal(bots.body.teams.packageUrl, null);
    });
  });
}
