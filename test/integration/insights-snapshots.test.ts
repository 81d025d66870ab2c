/**
 * The Insights page's workspace aggregate reads each person's stored figures instead of running get_insights
 * for everyone on each view: a view computes only people with no figures yet, at most LIVE_BUDGET of them,
 * and asks the background job for the rest; figures older than the freshness bound are refreshed by the job;
 * the answer says how old the figures are. Runs on every backend.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { LIVE_BUDGET } from "../../admin/console-api/workspace-insights.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import {
  INSIGHTS_QUEUE,
  refreshStaleSnapshots,
  SNAPSHOT_FRESH_MS,
} from "../../engine/behavior/insights-snapshots.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

const PASSWORD = "correct horse battery";
const OTHERS = 6;

interface Aggregate {
  people: number;
  scoreTrend: { date: string; avgScore: number }[];
  freshness: {
    asOf: string | null;
    newest: string | null;
    computedNow: number;
    pending: number;
    stale: number;
    freshForMinutes: number;
  };
  person?: { score: { value: number } };
}

for (const backend of backends()) {
  describe(`Workspace insights from stored snapshots (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let owner: ConsoleClient;
    let workspaceId: string;
    let ownerId: string;
    const personIds: string[] = [];
    const workspace = `snapshots-${randomUUID().slice(0, 6)}`;
    let insightCalls = 0;
    let refreshAsks = 0;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
      const ownerEmail = `owner-${randomUUID().slice(0, 6)}@example.com`;
      const created = await createOrResetOwner(cairn.engine.services.db, {
        workspace,
        email: ownerEmail,
        password: PASSWORD,
      });
      ownerId = created.person.id;
      workspaceId = created.workspace.id;
      for (let i = 0; i < OTHERS; i++) {
        const issued = await issueApiToken(cairn.engine.services.db, {
          workspace,
          email: `person-${i}-${randomUUID().slice(0, 6)}@example.com`,
        });
        personIds.push(issued.person.id);
      }
      // Counts every get_insights the console runs (the engine object the console API was built with).
      const call = cairn.engine.call;
      cairn.engine.call = (actor, via, name, input) => {
        if (name === "get_insights") insightCalls += 1;
        return call(actor, via, name, input);
      };
      const { jobs } = cairn.engine.services;
      const enqueue = jobs.enqueue.bind(jobs);
      jobs.enqueue = (queue, name, data, options) => {
        if (queue === INSIGHTS_QUEUE) refreshAsks += 1;
        return enqueue(queue, name, data, options);
      };
      owner = new ConsoleClient(cairn.url);
      await owner.signIn(ownerEmail, PASSWORD);
    });
    after(() => cairn?.close());

    const view = async (query = ""): Promise<Aggregate> => {
      const answer = await owner.request<Aggregate>("GET", `/admin/api/insights/workspace${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body;
    };
    const waitingRefreshes = async () => {
      const counts = await cairn.engine.services.jobs.counts(INSIGHTS_QUEUE);
      return counts.waiting + counts.delayed;
    };

    it("computes at most its budget of people with no figures, and asks the job for the rest", async () => {
      const people = OTHERS + 1;
      insightCalls = 0;
      const first = await view();
      assert.equal(first.people, people);
      assert.equal(first.freshness.computedNow, LIVE_BUDGET);
      assert.equal(first.freshness.pending, people - LIVE_BUDGET);
      assert.equal(insightCalls, LIVE_BUDGET, "only the budget runs get_insights");
      assert.equal(await waitingRefreshes(), 1, "a refresh is asked for");
      await view();
      assert.equal(await waitingRefreshes(), 1, "a refresh already waiting absorbs the next view's");

      const run = await refreshStaleSnapshots(cairn.engine.services, { workspaceId });
      assert.deepEqual(run, { refreshed: people - 2 * LIVE_BUDGET, failed: 0 });
      insightCalls = 0;
      refreshAsks = 0;
      const stored = await view();
      assert.equal(stored.people, people);
      assert.deepEqual(
        {
          computedNow: stored.freshness.computedNow,
          pending: stored.freshness.pending,
          stale: stored.freshness.stale,
        },
        { computedNow: 0, pending: 0, stale: 0 },
      );
      assert.equal(insightCalls, 0, `no get_insights for ${people} people with stored figures`);
      assert.equal(refreshAsks, 0, "fresh figures need no refresh");
      assert.ok(stored.freshness.asOf, "says how old the figures are");
    });

    it("reads the stored figures rather than computing them again", async () => {
      await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query(`UPDATE user_states SET state = jsonb_set(state, '{score}', '42'::jsonb)`),
      );
      insightCalls = 0;
      const answer = await view();
      assert.equal(insightCalls, 0);
      const today = cairn.engine.services.now().toISOString().slice(0, 10);
      assert.deepEqual(answer.scoreTrend.at(-1), { date: today, avgScore: 42 });

      insightCalls = 0;
      const beside = await view(`?personId=${personIds[0]}`);
      assert.equal(insightCalls, 1, "only the person asked for is computed, for their own answer");
      assert.equal(typeof beside.person?.score.value, "number");
    });

    it("refreshes figures older than the freshness bound, and says how old they are meanwhile", async () => {
      const now = cairn.engine.services.now().getTime();
      const old = new Date(now - SNAPSHOT_FRESH_MS - 60_000);
      await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query("UPDATE user_states SET computed_at = $1 WHERE person_id = $2", [
          old.toISOString(),
          ownerId,
        ]),
      );
      insightCalls = 0;
      refreshAsks = 0;
      const stale = await view();
      assert.equal(insightCalls, 0, "stale figures are shown, not computed during the view");
      assert.equal(stale.freshness.stale, 1);
      assert.equal(stale.freshness.asOf, old.toISOString(), "as of the oldest figures");
      assert.equal(refreshAsks, 1, "a refresh is asked for");

      const run = await refreshStaleSnapshots(cairn.engine.services, { workspaceId });
      assert.deepEqual(run, { refreshed: 1, failed: 0 }, "only the stale person is refreshed");
      const fresh = await view();
      assert.equal(fresh.freshness.stale, 0);
      assert.ok(Date.parse(fresh.freshness.asOf ?? "") > old.getTime(), "the figures are new");
      const rows = await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query<{ computed_at: Date | string }>(
          "SELECT computed_at FROM user_states WHERE person_id = $1 ORDER BY computed_at DESC LIMIT 1",
          [ownerId],
        ),
      );
      assert.ok(new Date(rows.rows[0]?.computed_at ?? 0).getTime() > old.getTime());
    });
  });
}
