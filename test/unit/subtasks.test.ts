/** The pure parts of subtasks: the planner's substitution, remaining estimates, trees, chat phrasings, source mapping. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStandalone } from "../../bots/conversation/parse.ts";
import { issueToTask, JiraSettings } from "../../connectors/jira/index.ts";
import { type NotionPage, pageToTask } from "../../connectors/notion/properties.ts";
import { buildTree, childrenIndex, remainingEstimate } from "../../engine/actions/subtask-rules.ts";
import type { Task } from "../../engine/domain.ts";
import { planSubtasksInsteadOfParents } from "../../engine/scheduling/input/subtasks.ts";

let serial = 0;
function task(fields: Partial<Task>): Task {
  serial += 1;
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`,
    title: `Task ${serial}`,
    description: "",
    status: "todo",
    priority: 3,
    estimateMinutes: null,
    due: null,
    earliestStart: null,
    dependsOn: [],
    parentId: null,
    tags: [],
    splittable: true,
    energy: "medium",
    personId: null,
    source: "cairn",
    externalId: null,
    url: null,
    completedAt: null,
    sourceDeletedAt: null,
    createdAt: "2026-03-01T00:00:00.000Z",
    updatedAt: "2026-03-01T00:00:00.000Z",
    ...fields,
  };
}

describe("planner input with subtasks", () => {
  it("plans open subtasks instead of their parent, with the parent's due date, start and prerequisites", () => {
    const before = task({ title: "Budget approved" });
    const parent = task({
      title: "Draft Q3 report",
      estimateMinutes: 240,
      due: "2026-03-06T16:00:00.000Z",
      earliestStart: "2026-03-04T10:00:00.000Z",
      dependsOn: [before.id],
    });
    const outline = task({ title: "Outline", parentId: parent.id, estimateMinutes: 30 });
    const late = task({ title: "Charts", parentId: parent.id, due: "2026-03-20T16:00:00.000Z" });
    const early = task({ title: "Numbers", parentId: parent.id, due: "2026-03-05T12:00:00.000Z" });
    const review = task({ title: "Review", dependsOn: [parent.id] });
    const open = [before, parent, outline, late, early, review];
    const planned = planSubtasksInsteadOfParents(open, [outline, late, early]);
    const byTitle = new Map(planned.map((t) => [t.title, t]));
    assert.ok(!byTitle.has("Draft Q3 report"));
    assert.equal(byTitle.get("Outline")?.due, parent.due, "inherits the due date");
    assert.equal(byTitle.get("Charts")?.due, parent.due, "held to the parent's due date");
    assert.equal(byTitle.get("Numbers")?.due, early.due, "keeps an earlier one");
    assert.equal(byTitle.get("Outline")?.earliestStart, parent.earliestStart);
    assert.deepEqual(byTitle.get("Outline")?.dependsOn, [before.id]);
    assert.deepEqual(
      [...(byTitle.get("Review")?.dependsOn ?? [])].sort(),
      [outline.id, late.id, early.id].sort(),
      "waiting for the parent means waiting for its open subtasks",
    );
  });

  it("keeps a parent whose subtasks are all closed, and only plans the person's own subtasks", () => {
    const parent = task({ title: "Parent", estimateMinutes: 60 });
    const planned = planSubtasksInsteadOfParents([parent], []);
    assert.deepEqual(
      planned.map((t) => t.id),
      [parent.id],
    );
    const someoneElses = task({ title: "Theirs", parentId: parent.id });
    const mine = planSubtasksInsteadOfParents([parent], [someoneElses]);
    assert.deepEqual(mine, [], "the parent waits on a colleague's subtask, which their own plan holds");
  });

  it("replaces every level: a subtask with open subtasks of its own gives way to them", () => {
    const top = task({ title: "Top", due: "2026-03-10T16:00:00.000Z" });
    const mid = task({ title: "Mid", parentId: top.id });
    const leaf = task({ title: "Leaf", parentId: mid.id });
    const planned = planSubtasksInsteadOfParents([top, mid, leaf], [mid, leaf]);
    assert.deepEqual(
      planned.map((t) => [t.title, t.due]),
      [["Leaf", top.due]],
    );
  });
});

describe("remaining estimates and trees", () => {
  it("is the task's own estimate, else the sum of its open subtasks' (recursively), else null", () => {
    const parent = task({});
    const a = task({ parentId: parent.id, estimateMinutes: 30 });
    const b = task({ parentId: parent.id });
    const b1 = task({ parentId: b.id, estimateMinutes: 20 });
    const closed = task({ parentId: parent.id, estimateMinutes: 500, status: "done" });
    const index = childrenIndex([a, b, b1, closed]);
    assert.equal(remainingEstimate(parent, index), 50);
    assert.equal(remainingEstimate({ ...parent, estimateMinutes: 90 }, index), 90);
    assert.equal(remainingEstimate(task({}), index), null);
    const tree = buildTree([parent], [a, b, b1, closed], (t) => t.status !== "done");
    assert.deepEqual(
      tree[0]?.subtasks.map((s) => s.id),
      [a.id, b.id],
    );
    assert.deepEqual(
      tree[0]?.subtasks[1]?.subtasks.map((s) => s.id),
      [b1.id],
    );
  });
});

describe("chat phrasings for subtasks", () => {
  const clock = { timezone: "Europe/Berlin", now: new Date("2026-03-18T08:00:00Z") };
  it("adds a subtask under the task named after the last 'to'", () => {
    const result = parseStandalone("add subtask write outline to Draft Q3 report", clock);
    assert.equal(result.action, "create_task");
    assert.deepEqual(result.action && result.input, {
      title: "write outline",
      parentId: { taskQuery: "Draft Q3 report" },
    });
    const withTo = parseStandalone("add a subtask talk to Ana 30 min to Launch", clock);
    assert.deepEqual(withTo.action && withTo.input, {
      title: "talk to Ana",
      estimateMinutes: 30,
      parentId: { taskQuery: "Launch" },
    });
  });
  it("lists a task's subtasks", () => {
    const result = parseStandalone("show the subtasks of Draft Q3 report", clock);
    assert.equal(result.action, "list_tasks");
    assert.deepEqual(result.action && result.input, {
      parentId: { taskQuery: "Draft Q3 report" },
      tree: true,
    });
  });
});

describe("sources' parents", () => {
  const settings = JiraSettings.parse({ host: "https://acme.atlassian.net" });
  const issue = (type: { name: string; subtask: boolean }, parent: string | null) => ({
    key: "CAIRN-7",
    fields: {
      summary: "Write outline",
      updated: "2026-03-01T10:00:00.000+0000",
      issuetype: type,
      parent: parent ? { key: parent } : null,
    },
  });
  it("Jira: only sub-task issue types are subtasks of their parent", () => {
    assert.equal(
      issueToTask(issue({ name: "Subtask", subtask: true }, "CAIRN-1"), settings).parentExternalId,
      "CAIRN-1",
    );
    assert.equal(
      issueToTask(issue({ name: "Story", subtask: false }, "CAIRN-EPIC"), settings).parentExternalId,
      null,
    );
  });
  it('Notion: the "Parent item" relation names the parent page; "Sub-item" and "Blocked by" do not', () => {
    const page: NotionPage = {
      id: "child-page",
      last_edited_time: "2026-03-01T10:00:00.000Z",
      properties: {
        Name: { type: "title", title: [{ plain_text: "Write outline" }] },
        "Parent item": { type: "relation", relation: [{ id: "parent-page" }] },
        "Sub-item": { type: "relation", relation: [{ id: "grandchild" }] },
        "Blocked by": { type: "relation", relation: [{ id: "other-page" }] },
      },
    };
    const mapped = pageToTask(page, { estimateUnit: "hours" });
    assert.equal(mapped.parentExternalId, "parent-page");
    assert.deepEqual(mapped.dependsOnExternalIds, ["other-page"]);
    const top = pageToTask(
      { ...page, properties: { Name: page.properties.Name as NotionPage["properties"][string] } },
      {
        estimateUnit: "hours",
      },
    );
    assert.equal(top.parentExternalId, null);
  });
});
