/** Subtasks through the task actions over POST /api/actions/..., and what the planner makes of them. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Task } from "../../engine/domain.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

// Wednesday 4 March 2026, 09:00 in Berlin.
const NOW = new Date("2026-03-04T08:00:00Z");

interface Problem {
  detail?: string;
  title?: string;
  errors?: { path: string; message: string }[];
}
interface Node extends Task {
  remainingEstimateMinutes: number | null;
  subtasks: Node[];
}

for (const backend of backends()) {
  describe(`subtasks on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, now: () => NOW });
      cairn.engine.services.replan.delayMs = 10 * 60_000;
    });
    after(async () => cairn?.close());

    /** A person in a workspace of their own. */
    const person = async () => {
      const { token } = await cairn.token({
        workspace: `sub-${randomUUID().slice(0, 8)}`,
        email: "sam@acme.test",
      });
      const call = async <T>(action: string, input: unknown, expected = 200): Promise<T> => {
        const { status, body } = await cairn.call(token, action, input);
        assert.equal(status, expected, `${action}: ${JSON.stringify(body)}`);
        return body as T;
      };
      return { call };
    };

    it("creates, lists and nests subtasks, with the parent's remaining estimate from its open subtasks", async () => {
      const { call } = await person();
      const report = await call<Task>("create_task", {
        title: "Draft Q3 report",
        priority: 1,
        due: "2026-03-06T16:00:00Z",
      });
      assert.equal(report.parentId, null);
      const outline = await call<Task>("create_task", {
        title: "Write outline",
        parentId: report.id,
        estimateMinutes: 30,
      });
      assert.equal(outline.parentId, report.id);
      const made = await call<{ parentId: string; tasks: Task[] }>("create_subtasks", {
        parentId: report.id,
        subtasks: [
          { title: "Collect numbers", estimateMinutes: 60 },
          { title: "Charts", estimateMinutes: 45, due: "2026-03-20T16:00:00Z", tags: ["design"] },
        ],
      });
      assert.deepEqual(
        made.tasks.map((t) => [t.title, t.parentId, t.priority]),
        [
          ["Collect numbers", report.id, 1],
          ["Charts", report.id, 1],
        ],
      );
      assert.equal(made.tasks[1]?.due, report.due, "a subtask never falls due after its parent");
      assert.deepEqual(made.tasks[1]?.tags, ["design"]);
      const lonely = await call<Task>("create_task", { title: "Inbox zero" });

      const got = await call<{
        subtasks: { title: string }[];
        openSubtasks: number;
        remainingEstimateMinutes: number;
      }>("get_task", { id: report.id });
      assert.deepEqual(
        got.subtasks.map((s) => s.title),
        ["Write outline", "Collect numbers", "Charts"],
      );
      assert.equal(got.openSubtasks, 3);
      assert.equal(got.remainingEstimateMinutes, 30 + 60 + 45);

      const children = await call<{ tasks: Task[] }>("list_tasks", { parentId: report.id });
      assert.equal(children.tasks.length, 3);
      assert.ok(children.tasks.every((t) => t.parentId === report.id));

      await call<Task>("create_task", {
        title: "Find Q2 figures",
        parentId: made.tasks[0]?.id,
        estimateMinutes: 20,
      });
      const tree = await call<{ tasks: Node[] }>("list_tasks", { tree: true });
      assert.deepEqual(tree.tasks.map((t) => t.title).sort(), ["Draft Q3 report", "Inbox zero"]);
      const root = tree.tasks.find((t) => t.id === report.id) as Node;
      assert.equal(root.subtasks.length, 3);
      const numbers = root.subtasks.find((t) => t.title === "Collect numbers") as Node;
      assert.deepEqual(
        numbers.subtasks.map((t) => t.title),
        ["Find Q2 figures"],
      );
      assert.equal(numbers.remainingEstimateMinutes, 60, "its own estimate wins over its subtasks' sum");
      assert.equal(tree.tasks.find((t) => t.id === lonely.id)?.subtasks.length, 0);
    });

    it("refuses a parent that is the task itself, one of its descendants, or not in the workspace", async () => {
      const { call } = await person();
      const top = await call<Task>("create_task", { title: "Launch" });
      const mid = await call<Task>("create_task", { title: "Beta", parentId: top.id });
      const leaf = await call<Task>("create_task", { title: "Invite testers", parentId: mid.id });

      const self = await call<Problem>("update_task", { id: top.id, parentId: top.id }, 400);
      assert.match(JSON.stringify(self), /parentId/);
      const cycle = await call<Problem>("update_task", { id: top.id, parentId: leaf.id }, 400);
      assert.match(JSON.stringify(cycle), /parentId/);
      assert.match(JSON.stringify(cycle), /own descendant|own subtasks/);
      const missing = await call<Problem>("create_task", { title: "x", parentId: randomUUID() }, 400);
      assert.match(JSON.stringify(missing), /parentId/);
      const elsewhere = await (await person()).call<Task>("create_task", { title: "Someone else's" });
      await call<Problem>("create_task", { title: "x", parentId: elsewhere.id }, 400);

      const moved = await call<Task>("update_task", { id: leaf.id, parentId: top.id });
      assert.equal(moved.parentId, top.id);
      const detached = await call<Task>("update_task", { id: leaf.id, parentId: null });
      assert.equal(detached.parentId, null);
    });

    it("completing a parent with open subtasks needs cascade; the last open subtask completes the parent", async () => {
      const { call } = await person();
      const parent = await call<Task>("create_task", { title: "Draft Q3 report" });
      const [a, b] = (
        await call<{ tasks: Task[] }>("create_subtasks", {
          parentId: parent.id,
          subtasks: [{ title: "Outline" }, { title: "Numbers" }],
        })
      ).tasks as [Task, Task];

      const refused = await call<Problem>("complete_task", { id: parent.id }, 409);
      assert.match(JSON.stringify(refused), /cascade/);
      assert.match(JSON.stringify(refused), /2 open subtasks/);
      await call<Problem>("update_task", { id: parent.id, status: "done" }, 409);

      const first = await call<Task & { alsoCompleted: unknown[] }>("complete_task", { id: a.id });
      assert.deepEqual(first.alsoCompleted, []);
      assert.equal((await call<Task>("get_task", { id: parent.id })).status, "todo");
      const last = await call<Task & { alsoCompleted: { id: string; why: string }[] }>("complete_task", {
        id: b.id,
      });
      assert.deepEqual(last.alsoCompleted, [{ id: parent.id, title: "Draft Q3 report", why: "parent" }]);
      assert.equal((await call<Task>("get_task", { id: parent.id })).status, "done");

      const viaUpdate = await call<Task>("create_task", { title: "Hiring plan" });
      const only = await call<Task>("create_task", { title: "Write the job ad", parentId: viaUpdate.id });
      await call<Task>("update_task", { id: only.id, status: "done" });
      assert.equal(
        (await call<Task>("get_task", { id: viaUpdate.id })).status,
        "done",
        "update_task marking the last open subtask done completes the parent too",
      );

      const other = await call<Task>("create_task", { title: "Offsite" });
      const child = await call<Task>("create_task", { title: "Book venue", parentId: other.id });
      const cascaded = await call<Task & { alsoCompleted: { id: string; why: string }[] }>("complete_task", {
        id: other.id,
        cascade: true,
      });
      assert.equal(cascaded.status, "done");
      assert.deepEqual(
        cascaded.alsoCompleted.map((c) => [c.id, c.why]),
        [[child.id, "subtask"]],
      );
      assert.equal((await call<Task>("get_task", { id: child.id })).status, "done");
    });

    it("deleting a parent needs cascade and then deletes its subtasks", async () => {
      const { call } = await person();
      const parent = await call<Task>("create_task", { title: "Old project" });
      const child = await call<Task>("create_task", { title: "Old step", parentId: parent.id });
      const grandchild = await call<Task>("create_task", { title: "Old detail", parentId: child.id });
      const refused = await call<Problem>("delete_task", { id: parent.id }, 409);
      assert.match(JSON.stringify(refused), /cascade/);
      const done = await call<{ deletedSubtasks: string[] }>("delete_task", { id: parent.id, cascade: true });
      assert.deepEqual(done.deletedSubtasks.sort(), [child.id, grandchild.id].sort());
      await call("get_task", { id: grandchild.id }, 404);
    });

    it("plans the open subtasks instead of their parent, within the parent's due date", async () => {
      const { call } = await person();
      await call("set_preferences", { timezone: "Europe/Berlin" });
      const parent = await call<Task>("create_task", {
        title: "Draft Q3 report",
        estimateMinutes: 240,
        due: "2026-03-05T16:00:00Z",
      });
      const [outline, numbers] = (
        await call<{ tasks: Task[] }>("create_subtasks", {
          parentId: parent.id,
          subtasks: [
            { title: "Outline", estimateMinutes: 30 },
            { title: "Numbers", estimateMinutes: 60 },
          ],
        })
      ).tasks as [Task, Task];
      await call<Task>("update_task", { id: numbers.id, due: null });
      const plan = await call<{ blocks: { taskId: string | null; end: string; minutes: number }[] }>(
        "plan_week",
        {},
      );
      const planned = new Set(plan.blocks.map((b) => b.taskId));
      assert.ok(!planned.has(parent.id), "the parent is not planned while it has open subtasks");
      assert.ok(planned.has(outline.id) && planned.has(numbers.id));
      for (const block of plan.blocks.filter((b) => b.taskId === numbers.id)) {
        assert.ok(
          Date.parse(block.end) <= Date.parse("2026-03-05T16:00:00Z"),
          "inherits the parent's due date",
        );
      }
      const minutes = (id: string) =>
        plan.blocks.filter((b) => b.taskId === id).reduce((sum, b) => sum + b.minutes, 0);
      assert.equal(minutes(outline.id), 30);
      assert.equal(minutes(numbers.id), 60);

      await call("complete_task", { id: outline.id });
      await call("complete_task", { id: numbers.id });
      const again = await call<{ blocks: { taskId: string | null }[] }>("plan_week", {});
      assert.ok(!again.blocks.some((b) => b.taskId === parent.id), "completed with its last subtask");
    });
  });
}
