/**
 * A keyed request's answer is kept in the action's own write transaction when the action asks for it
 * (create_task does), so a process that dies after the commit and before the face writes its answer cannot
 * leave the effect with a claim that a later retry takes over and runs again (found by the scale-out harness:
 * a web process SIGKILLed at that moment let a retried create_task create its task twice).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { keepAnswerInTransaction, runKeepingAnswer } from "../../engine/actions/answer-in-transaction.ts";
import type { Actor } from "../../engine/actions/define.ts";
import { defineAction } from "../../engine/actions/define.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

/** Writes its effect, keeps its answer in that transaction, then hangs like a process that is about to die. */
const hang = {
  release: undefined as (() => void) | undefined,
  committed: undefined as (() => void) | undefined,
};
let effects = 0;
const keptThenHangs = defineAction({
  name: "idem_test_kept_then_hangs",
  title: "Kept then hangs",
  description: "Test only: counts an effect, keeps its answer in the same transaction, then waits.",
  input: z.object({ label: z.string() }),
  output: z.object({ label: z.string(), effect: z.number() }),
  async run(ctx, input) {
    const output = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const result = { label: input.label, effect: ++effects };
      await keepAnswerInTransaction("idem_test_kept_then_hangs", tx, result);
      return result;
    });
    await new Promise<void>((resolve) => {
      hang.release = resolve;
      hang.committed?.();
    });
    return output;
  },
});

for (const backend of backends()) {
  describe(`an answer kept in the action's transaction (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let token: string;
    let actor: Actor;

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        startWorkers: false,
        extraActions: [keptThenHangs],
      });
      const issued = await cairn.token({
        workspace: `kept-${randomUUID().slice(0, 8)}`,
        email: "kai@kept.test",
      });
      token = issued.token;
      actor = await cairn.engine.actorFor(issued.workspace.slug, issued.person.email);
    });
    after(async () => cairn?.close());

    const post = (action: string, body: unknown, key: string) =>
      fetch(`${cairn.url}/api/actions/${action}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify(body),
      });

    it("a retry gets the answer as soon as the effect commits, before the first request has answered", async () => {
      const key = randomUUID();
      const effect = effects + 1;
      const committed = new Promise<void>((resolve) => {
        hang.committed = resolve;
      });
      const first = post("idem_test_kept_then_hangs", { label: "one" }, key);
      await committed;
      const retry = await post("idem_test_kept_then_hangs", { label: "one" }, key);
      assert.equal(retry.status, 200);
      assert.equal(retry.headers.get("idempotent-replayed"), "true");
      assert.deepEqual(await retry.json(), { label: "one", effect });
      assert.equal(effects, effect, "the retry did not run the action again");
      hang.release?.();
      assert.deepEqual(await (await first).json(), { label: "one", effect });
    });

    it("create_task's task and its kept answer commit together or not at all", async () => {
      const title = `Rolled back ${randomUUID().slice(0, 8)}`;
      await assert.rejects(
        runKeepingAnswer(
          {
            action: "create_task",
            keep: async () => {
              throw new Error("the answer could not be kept");
            },
          },
          () => cairn.engine.call(actor, "http", "create_task", { title }),
        ),
      );
      const listed = (await cairn.engine.call(actor, "http", "list_tasks", { limit: 200 })) as {
        tasks: { title: string }[];
      };
      assert.equal(listed.tasks.filter((task) => task.title === title).length, 0);

      let kept: unknown;
      const created = await runKeepingAnswer(
        {
          action: "create_task",
          keep: async (tx, output) => {
            // Inside the action's transaction the new task is already visible.
            const { rows } = await tx.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM tasks WHERE id = $1",
              [(output as { id: string }).id],
            );
            assert.equal(rows[0]?.n, 1);
            kept = output;
          },
        },
        () => cairn.engine.call(actor, "http", "create_task", { title: "Kept with its task" }),
      );
      assert.deepEqual(kept, created);
    });

    it("create_habit and create_subtasks keep the answer they return", async () => {
      const keptUnder = async (action: string, input: unknown) => {
        let kept: unknown;
        const returned = await runKeepingAnswer(
          {
            action,
            keep: async (_tx, output) => {
              kept = output;
            },
          },
          () => cairn.engine.call(actor, "http", action, input),
        );
        assert.deepEqual(kept, returned, action);
        return returned;
      };
      await keptUnder("create_habit", {
        title: "Lunch",
        days: ["mon", "tue", "wed", "thu", "fri"],
        window: { start: "12:00", end: "14:00" },
        minMinutes: 30,
        maxMinutes: 60,
      });
      const parent = (await cairn.engine.call(actor, "http", "create_task", {
        title: "Write the report",
      })) as {
        id: string;
      };
      const made = (await keptUnder("create_subtasks", {
        parentId: parent.id,
        subtasks: [{ title: "Outline" }, { title: "Draft" }],
      })) as { tasks: unknown[] };
      assert.equal(made.tasks.length, 2);
    });

    it("create_token keeps its answer, the token included, with the token it stored", async () => {
      let kept: { id?: string; token?: string } | undefined;
      const returned = (await runKeepingAnswer(
        {
          action: "create_token",
          keep: async (tx, output) => {
            kept = output as { id: string; token: string };
            const { rows } = await tx.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM api_tokens WHERE id = $1",
              [kept.id],
            );
            assert.equal(rows[0]?.n, 1, "the token is stored in the transaction that keeps the answer");
          },
        },
        () => cairn.engine.call(actor, "http", "create_token", { name: "kept script" }),
      )) as { id: string; token: string };
      assert.equal(kept?.id, returned.id);
      assert.equal(kept?.token, returned.token);

      const before = (await cairn.engine.call(actor, "http", "list_tokens", {})) as { tokens: unknown[] };
      await assert.rejects(
        runKeepingAnswer(
          {
            action: "create_token",
            keep: async () => {
              throw new Error("the answer could not be kept");
            },
          },
          () => cairn.engine.call(actor, "http", "create_token", { name: "never stored" }),
        ),
      );
      const afterFailure = (await cairn.engine.call(actor, "http", "list_tokens", {})) as {
        tokens: unknown[];
      };
      assert.equal(afterFailure.tokens.length, before.tokens.length, "no token without its kept answer");
    });

    it("an action called under another action's key keeps nothing", async () => {
      let keptFor = 0;
      await runKeepingAnswer(
        {
          action: "some_other_action",
          keep: async () => {
            keptFor++;
          },
        },
        () => cairn.engine.call(actor, "http", "create_task", { title: "Inner create" }),
      );
      assert.equal(keptFor, 0);
    });
  });
}
