/**
 * The batched sweep on every backend: a deadline-at-risk nudge goes out for exactly the tasks the behaviour
 * insights give less than an even chance, the insights are computed only when such a nudge could go out now,
 * the next sweep answers them from the cache while the person's data is unchanged, and a change to a task is
 * seen at once. People with every kind off are not read at all.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Nudge } from "../../engine/actions/nudges.ts";
import { sweep } from "../../engine/nudges/scheduler.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

// Monday 16 March 2026, 16:10 UTC: the last working hour, so the flexible nudges can only go in it.
const MONDAY_1610 = new Date("2026-03-16T16:10:00Z");
const MINUTE = 60_000;
const DAY = [{ start: "09:00", end: "17:00" }];
const WEEK = { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY };

for (const backend of backends()) {
  describe(`the nudge sweep (${backend.name})`, { skip: backend.skip }, () => {
    let clock = MONDAY_1610;
    let cairn: TestCairn;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, now: () => clock });
    });
    after(async () => cairn?.close());

    async function act<T>(token: string, action: string, input: unknown): Promise<T> {
      const { status, body } = await cairn.call(token, action, input);
      assert.equal(status, 200, `${action}: ${JSON.stringify(body)}`);
      return body as T; // Boundary: the HTTP API answers the action's output schema.
    }

    it("nudges the deadlines at risk, computes insights only when needed and caches them", async () => {
      const ada = await cairn.token({ workspace: `sweep-${backend.db}`, email: "ada@acme.test" });
      const off = await cairn.token({ workspace: `sweep-${backend.db}`, email: "off@acme.test" });
      for (const who of [ada, off])
        await act(who.token, "set_preferences", { timezone: "UTC", workingHours: WEEK });
      await act(off.token, "set_nudge_preferences", { enabledKinds: [] });
      const big = await act<{ id: string }>(ada.token, "create_task", {
        title: "Rewrite the pricing model",
        estimateMinutes: 600,
        due: "2026-03-17T16:00:00Z",
      });
      const small = await act<{ id: string }>(ada.token, "create_task", {
        title: "Send the invoice",
        estimateMinutes: 15,
        due: "2026-03-17T12:00:00Z",
      });
      const insights = await act<{ completion: { taskId: string; probability: number }[] }>(
        ada.token,
        "get_insights",
        {},
      );
      const risky = insights.completion.filter((c) => c.probability < 0.5).map((c) => c.taskId);
      assert.deepEqual(
        risky,
        [big.id],
        `the big task is at risk, the small one is not: ${JSON.stringify(insights.completion)}`,
      );

      const first = await sweep(cairn.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(first.people, 2);
      assert.equal(first.evaluated, 1, "the person with every kind off is not read");
      assert.equal(first.insightsComputed, 1);
      const nudges = async () =>
        (await act<{ nudges: Nudge[] }>(ada.token, "list_nudges", {})).nudges.filter(
          (n) => n.kind === "deadline_at_risk",
        );
      assert.deepEqual(
        (await nudges()).map((n) => n.taskId),
        [big.id],
      );
      assert.deepEqual((await act<{ nudges: Nudge[] }>(off.token, "list_nudges", {})).nudges, []);

      // Five minutes later, nothing changed: the small task could still be nudged, from the cached figures.
      clock = new Date(MONDAY_1610.getTime() + 5 * MINUTE);
      const second = await sweep(cairn.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(second.insightsComputed, 0);
      assert.equal(second.insightsCached, 1);
      assert.equal((await nudges()).length, 1);

      // The small task grows: its data changed, so it is computed again, and now it is at risk.
      await act(ada.token, "update_task", { id: small.id, estimateMinutes: 1800 });
      clock = new Date(MONDAY_1610.getTime() + 10 * MINUTE);
      const third = await sweep(cairn.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(third.insightsComputed, 1);
      assert.deepEqual((await nudges()).map((n) => n.taskId).sort(), [big.id, small.id].sort());
    });
  });
}
