/**
 * The conversation core on the real engine: a message in, an action call as the person, a reply out; which-one
 * questions answered by number; "it" and "move it to tomorrow" from memory kept in the database, so a second
 * process (a new port on the same store) continues the thread; actions that are not built yet say so.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { respond, respondToClick } from "../../../bots/conversation/conversation.ts";
import { enginePort } from "../../../bots/conversation/engine-port.ts";
import type { Message } from "../../../bots/conversation/message.ts";
import type { Actor } from "../../../engine/actions/define.ts";
import { ensurePerson } from "../../../engine/db/repositories/workspaces.ts";
import { backends, openTestEngine, type TestEngine } from "../../support/harness.ts";

// Wednesday 18 March 2026, 09:00 in Berlin.
const NOW = new Date("2026-03-18T08:00:00Z");

const textOf = (message: Message) =>
  message.parts.map((p) => ("text" in p ? p.text : JSON.stringify(p))).join("\n");

interface TaskRow {
  id: string;
  title: string;
  status: string;
  due: string | null;
  estimateMinutes: number | null;
}

for (const backend of backends()) {
  describe(`chat conversation (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    let actor: Actor;

    before(async () => {
      t = await openTestEngine({ db: backend.db, jobs: backend.jobs, now: () => NOW });
      const demo = await t.engine.actorFor("demo");
      const person = await t.db.scoped(demo.workspace.id, (tx) =>
        ensurePerson(tx, demo.workspace.id, { email: "ada@example.com", name: "Ada", isAdmin: false }),
      );
      await t.engine.call({ workspace: demo.workspace, person }, "http", "set_preferences", {
        timezone: "Europe/Berlin",
      });
      actor = await t.engine.actorFor("demo", "ada@example.com");
    });
    after(() => t.close());

    const tasks = async (): Promise<TaskRow[]> =>
      ((await t.engine.call(actor, "http", "list_tasks", { limit: 100 })) as { tasks: TaskRow[] }).tasks;

    it("adds a task from plain words, in the person's zone, and replies with its fields and buttons", async () => {
      const port = enginePort(t.engine, actor, "terminal", "test:add");
      const reply = await respond(port, "add write the Q3 report by friday 2h");
      const created = (await tasks()).find((task) => task.title === "write the Q3 report");
      assert.ok(created, "the task exists");
      assert.equal(created.estimateMinutes, 120);
      assert.equal(created.due, "2026-03-20T16:00:00.000Z");
      assert.match(reply.text, /Added: write the Q3 report/);
      const buttons = reply.parts.find((p) => p.type === "buttons");
      assert.ok(buttons && buttons.type === "buttons");
      assert.deepEqual(buttons.buttons[0]?.call, { action: "complete_task", input: { id: created.id } });
    });

    it("asks which one when several tasks match, and acts on the number given", async () => {
      const port = enginePort(t.engine, actor, "terminal", "test:which");
      await respond(port, "add prepare the budget review tomorrow 1h");
      await respond(port, "add prepare the budget slides tomorrow 1h");
      const question = await respond(port, "mark prepare the budget as done");
      assert.match(question.text, /Which one\?/);
      const list = question.parts.find((p) => p.type === "list");
      assert.ok(list && list.type === "list");
      const titles = list.items.map((i) => i.text.replace(/^\d+\. /, ""));
      assert.equal(titles.length, 2);
      const done = await respond(port, "2");
      assert.match(done.text, new RegExp(`Marked ${titles[1]} as done`));
      const after = await tasks();
      assert.equal(after.find((task) => task.title === titles[1])?.status, "done");
      assert.equal(after.find((task) => task.title === titles[0])?.status, "todo");
    });

    it("keeps the thread in the database: 'move it to tomorrow' from another process's port", async () => {
      const first = enginePort(t.engine, actor, "slack", "test:thread");
      await respond(first, "add call the plumber 30 min");
      const created = (await tasks()).find((task) => task.title === "call the plumber");
      assert.ok(created);
      const second = enginePort(t.engine, actor, "slack", "test:thread");
      const moved = await respond(second, "move it to tomorrow");
      assert.doesNotMatch(textOf(moved), /Which task/);
      const elsewhere = enginePort(t.engine, actor, "slack", "test:other-thread");
      const asked = await respond(elsewhere, "move it to tomorrow");
      assert.match(asked.text, /Which task do you mean/);
    });

    it("runs a button's call as the person who clicked", async () => {
      const port = enginePort(t.engine, actor, "teams", "test:click");
      const added = await respond(port, "add water the plants 15 min");
      const buttons = added.parts.find((p) => p.type === "buttons");
      assert.ok(buttons && buttons.type === "buttons" && buttons.buttons[0]);
      const reply = await respondToClick(port, buttons.buttons[0].call);
      assert.match(reply.text, /Marked water the plants as done/);
    });

    it("puts done, skip and tomorrow buttons on a plan's blocks, and a click skips the block", async () => {
      const port = enginePort(t.engine, actor, "slack", "test:plan-buttons");
      await respond(port, "add draft the hiring plan today 1h");
      const plan = await respond(port, "plan my day");
      const list = plan.parts.find((p) => p.type === "list" && p.items.some((i) => i.buttons?.length === 3));
      assert.ok(list && list.type === "list", JSON.stringify(plan.parts));
      const [first] = list.items;
      assert.deepEqual(
        first?.buttons?.map((b) => b.label),
        ["Done", "Skip", "Tomorrow"],
      );
      const skip = first?.buttons?.[1];
      assert.ok(skip);
      assert.equal(skip.call.action, "respond_to_block");
      const reply = await respondToClick(port, skip.call);
      assert.doesNotMatch(reply.text, /couldn't/);
      const schedule = (await t.engine.call(actor, "http", "get_schedule", { version: undefined })) as {
        blocks: { id: string }[];
      };
      assert.ok(!schedule.blocks.some((b) => b.id === skip.call.input.blockId), "the skipped block is gone");
    });

    it("answers errors and unbuilt actions in words, and never guesses a missing task", async () => {
      const port = enginePort(t.engine, actor, "terminal", "test:errors");
      assert.match(
        (await respond(port, "mark the zebra migration as done")).text,
        /couldn't find an open task/,
      );
      const insights = await respond(port, "how am I doing?");
      assert.match(insights.text, /^Score \d+/);
      assert.ok(insights.parts.some((p) => p.type === "fields"));
      assert.match((await respond(port, "what's my score")).text, /^Score \d+/);
      const noNudge = await respond(port, "snooze 30");
      assert.match(noNudge.text, /There is no nudge to answer right now/);
      assert.match((await respond(port, "blorp")).text, /didn't catch that/);
      const admin = await respond(port, "sync now");
      assert.match(admin.text, /not available|couldn't do that|Synced|Syncing/);
    });
  });
}
