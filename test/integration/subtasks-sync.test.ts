/** Jira sub-tasks and Notion sub-items sync as subtasks, and subtasks made in Cairn are written back as such. */
import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Task } from "../../engine/domain.ts";
import { JIRA_STATUSES, startFakeJira } from "../fakes/jira.ts";
import { defaultTaskSchema, startFakeNotion } from "../fakes/notion.ts";
import { backends } from "../support/harness.ts";
import {
  type Stats,
  type SyncCairn,
  type SyncOutput,
  startSyncCairn,
  waitFor,
  workspaceAdmin,
} from "./sync-support.ts";

const EMAIL = "owner@example.com";
const JIRA_TOKEN = "jira_token_1";
const NOTION_TOKEN = "ntn_test_secret";

for (const backend of backends()) {
  describe(`subtasks sync (${backend.name})`, { skip: backend.skip }, () => {
    let app: SyncCairn;

    before(async () => {
      app = await startSyncCairn(backend);
    });
    after(async () => {
      await app?.close();
    });

    const syncer = (owner: Awaited<ReturnType<typeof workspaceAdmin>>, connectionId: string) => async () => {
      const out = await owner.call<SyncOutput>("sync_now", { connection: connectionId });
      assert.equal(out.results[0]?.ok, true, JSON.stringify(out.results[0]));
      return out.totals as Stats;
    };

    it("Jira: sub-tasks become subtasks, a Cairn subtask becomes a Jira sub-task, the last one closes the parent there", async (context: TestContext) => {
      const fake = await startFakeJira({ email: EMAIL, apiToken: JIRA_TOKEN });
      context.after(() => fake.close());
      const epic = fake.state.addIssue({ projectKey: "CAIRN", issueType: "Epic", summary: "Q3 planning" });
      const story = fake.state.addIssue({
        projectKey: "CAIRN",
        issueType: "Story",
        summary: "Draft Q3 report",
        parentKey: epic.key,
      });
      const outline = fake.state.addIssue({
        projectKey: "CAIRN",
        issueType: "Subtask",
        summary: "Write outline",
        parentKey: story.key,
        originalEstimateSeconds: 1800,
      });
      const owner = await workspaceAdmin(app.cairn);
      const connectionId = (
        await owner.call<{ id: string }>("connect_jira", {
          host: fake.url,
          email: EMAIL,
          apiToken: JIRA_TOKEN,
          jql: "project = CAIRN",
          syncEveryMinutes: 0,
        })
      ).id;
      const sync = syncer(owner, connectionId);
      await sync();
      const byKey = async () => new Map((await owner.tasks()).map((t) => [t.externalId, t]));
      let tasks = await byKey();
      const parent = tasks.get(story.key) as Task;
      assert.equal(tasks.get(outline.key)?.parentId, parent.id, "a sub-task is a subtask of its parent");
      assert.equal(parent.parentId, null, "a story under an epic is not a subtask: epics are containers");

      // A subtask added in Cairn is created in Jira as a sub-task of the story.
      const added = await owner.call<Task>("create_task", {
        title: "Collect numbers",
        parentId: parent.id,
        estimateMinutes: 45,
        tags: ["finance team"],
      });
      const created = await waitFor("the sub-task in Jira", async () =>
        [...fake.state.issues.values()].find((i) => i.summary === "Collect numbers"),
      );
      assert.equal(created.issueType, "Subtask");
      assert.equal(created.parentKey, story.key);
      assert.equal(created.originalEstimateSeconds, 45 * 60);
      assert.deepEqual(created.labels, ["finance-team"]);
      const linked = await waitFor("the link to the new sub-task", async () => {
        const task = await owner.call<Task>("get_task", { id: added.id });
        return task.externalId === created.key ? task : undefined;
      });
      assert.equal(linked.source, "jira");
      const before = (await owner.tasks()).length;
      const again = await sync();
      assert.equal(again.created, 0, "the written-back sub-task is not synced in a second time");
      assert.equal((await owner.tasks()).length, before);
      tasks = await byKey();
      assert.equal(tasks.get(created.key)?.parentId, parent.id);

      // Completing both subtasks in Cairn completes the story, in Cairn and in Jira.
      await owner.call("complete_task", { id: tasks.get(outline.key)?.id });
      const last = await owner.call<{ alsoCompleted: { id: string }[] }>("complete_task", { id: added.id });
      assert.deepEqual(
        last.alsoCompleted.map((c) => c.id),
        [parent.id],
      );
      await waitFor("the story done in Jira", async () => {
        const status = JIRA_STATUSES.find((st) => st.id === fake.state.issues.get(story.key)?.statusId);
        return status?.category === "done" ? true : undefined;
      });
    });

    it("Notion: sub-items become subtasks, and a Cairn subtask becomes a sub-item of its parent page", async (context: TestContext) => {
      const fake = await startFakeNotion({ token: NOTION_TOKEN });
      context.after(() => fake.close());
      const { dataSources } = fake.state.addDatabase({
        title: "Team tasks",
        dataSources: [
          {
            name: "Tasks",
            schema: {
              ...defaultTaskSchema,
              Estimate: { type: "number", description: "in minutes" },
              "Parent item": { type: "relation", syncedWith: "Sub-item" },
              "Sub-item": { type: "relation", syncedWith: "Parent item" },
            },
          },
        ],
      });
      const sourceId = dataSources[0]?.id as string;
      const parentPage = fake.state.addPage(sourceId, { properties: { Name: "Draft Q3 report" } });
      const childPage = fake.state.addPage(sourceId, {
        properties: { Name: "Write outline", "Parent item": [parentPage.id] },
      });
      assert.deepEqual(
        parentPage.values.get("Sub-item"),
        [childPage.id],
        "the fake keeps both sides in step",
      );
      const owner = await workspaceAdmin(app.cairn);
      const connectionId = (
        await owner.call<{ id: string }>("connect_notion", {
          token: NOTION_TOKEN,
          apiUrl: fake.url,
          syncEveryMinutes: 0,
        })
      ).id;
      const sync = syncer(owner, connectionId);
      await sync();
      const byPage = async () => new Map((await owner.tasks()).map((t) => [t.externalId, t]));
      let tasks = await byPage();
      const parent = tasks.get(parentPage.id) as Task;
      assert.equal(tasks.get(childPage.id)?.parentId, parent.id);

      const made = await owner.call<{ tasks: Task[] }>("create_subtasks", {
        parentId: parent.id,
        subtasks: [{ title: "Collect numbers", estimateMinutes: 60, due: "2026-04-02T23:59:59Z" }],
      });
      const added = made.tasks[0] as Task;
      const page = await waitFor("the sub-item in Notion", async () =>
        [...fake.state.pages.values()].find((p) => p.values.get("Name") === "Collect numbers"),
      );
      assert.deepEqual(page.values.get("Parent item"), [parentPage.id]);
      assert.equal(page.values.get("Estimate"), 60);
      assert.deepEqual(page.values.get("Due"), { start: "2026-04-02", end: null, time_zone: null });
      assert.ok((parentPage.values.get("Sub-item") as string[]).includes(page.id));
      await waitFor("the link to the new sub-item", async () => {
        const task = await owner.call<Task>("get_task", { id: added.id });
        return task.externalId === page.id ? task : undefined;
      });
      const again = await sync();
      assert.equal(again.created, 0);
      tasks = await byPage();
      assert.equal(tasks.get(page.id)?.parentId, parent.id);
      assert.equal(tasks.get(page.id)?.estimateMinutes, 60);

      // The page moved out from under its parent in Notion: it is a top-level task again.
      fake.state.editPage(childPage.id, { "Parent item": [] });
      await sync();
      tasks = await byPage();
      assert.equal(tasks.get(childPage.id)?.parentId, null);
    });
  });
}
