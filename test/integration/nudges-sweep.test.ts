/**
 * The batched sweep on every backend: a deadline-at-risk nudge is recorded for exactly the tasks the behaviour
 * insights give less than an even chance, the insights are computed only when such a nudge could go out now,
 * the next sweep answers them from the cache while the person's data is unchanged, and a change to a task is
 * seen at once. People with every kind off are not read at all. No delivery workers run here, so nothing but
 * the test changes the people's data between sweeps.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../../engine/actions/define.ts";
import type { Nudge } from "../../engine/actions/nudges.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { sweep } from "../../engine/nudges/scheduler.ts";
import { backends, openTestEngine, type TestEngine } from "../support/harness.ts";

// Monday 16 March 2026, 16:10 UTC: the last working hour, so the flexible nudges can only go in it.
const MONDAY_1610 = new Date("2026-03-16T16:10:00Z");
const MINUTE = 60_000;
const DAY = [{ start: "09:00", end: "17:00" }];
const WEEK = { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY };

for (const backend of backends()) {
  describe(`the nudge sweep (${backend.name})`, { skip: backend.skip }, () => {
    let clock = MONDAY_1610;
    let t: TestEngine;

    before(async () => {
      t = await openTestEngine({ db: backend.db, jobs: backend.jobs, now: () => clock });
    });
    after(async () => t?.close());

    async function person(workspace: string, email: string): Promise<Actor> {
      const issued = await issueApiToken(t.engine.services.db, { workspace, email });
      const actor = { workspace: issued.workspace, person: issued.person };
      await t.engine.call(actor, "cli", "set_preferences", { timezone: "UTC", workingHours: WEEK });
      return actor;
    }

    const call = <T>(actor: Actor, action: string, input: Record<string, unknown>) =>
      t.engine.call(actor, "cli", action, input) as Promise<T>; // Boundary: the action's output schema.

    it("nudges the deadlines at risk, computes insights only when needed and caches them", async () => {
      const workspace = `sweep-${backend.db}`;
      const ada = await person(workspace, "ada@acme.test");
      const off = await person(workspace, "off@acme.test");
      await call(off, "set_nudge_preferences", { enabledKinds: [] });
      const big = await call<{ id: string }>(ada, "create_task", {
        title: "Rewrite the pricing model",
        estimateMinutes: 600,
        due: "2026-03-17T16:00:00Z",
      });
      const small = await call<{ id: string }>(ada, "create_task", {
        title: "Send the invoice",
        estimateMinutes: 15,
        due: "2026-03-17T12:00:00Z",
      });
      const insights = await call<{ completion: { taskId: string; probability: number }[] }>(
        ada,
        "get_insights",
        {},
      );
      const risky = insights.completion.filter((c) => c.probability < 0.5).map((c) => c.taskId);
      assert.deepEqual(
        risky,
        [big.id],
        `only the big task is at risk: ${JSON.stringify(insights.completion)}`,
      );

      const first = await sweep(t.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(first.people, 2);
      assert.equal(first.evaluated, 1, "the person with every kind off is not read");
      assert.equal(first.insightsComputed, 1);
      const atRisk = async (who: Actor) =>
        (await call<{ nudges: Nudge[] }>(who, "list_nudges", {})).nudges
          .filter((n) => n.kind === "deadline_at_risk")
          .map((n) => n.taskId);
      assert.deepEqual(await atRisk(ada), [big.id]);
      assert.deepEqual((await call<{ nudges: Nudge[] }>(off, "list_nudges", {})).nudges, []);

      // Five minutes later, nothing changed: the small task could still be nudged, from the cached figures.
      clock = new Date(MONDAY_1610.getTime() + 5 * MINUTE);
      const second = await sweep(t.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(second.insightsComputed, 0);
      assert.equal(second.insightsCached, 1);
      assert.deepEqual(await atRisk(ada), [big.id]);

      // The small task grows: its data changed, so it is computed again, and now it is at risk.
      await call(ada, "update_task", { id: small.id, estimateMinutes: 1800 });
      clock = new Date(MONDAY_1610.getTime() + 10 * MINUTE);
      const third = await sweep(t.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(third.insightsComputed, 1);
      assert.deepEqual((await atRisk(ada)).sort(), [big.id, small.id].sort());
    });
  });
}
