/** The numbers behind get_insights and cairn://insights, from hand-made tasks at a fixed time and zone. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Insights, summarize } from "../../engine/behavior/insights.ts";
import type { Task } from "../../engine/domain.ts";

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
    createdAt: "2026-03-01T09:00:00.000Z",
    updatedAt: "2026-03-01T09:00:00.000Z",
    ...fields,
  };
}

// Wednesday 18 March 2026, 23:30 in Berlin (UTC+1): today ends at 22:59:59.999Z, the week began Monday
// 16 March 00:00 Berlin = 2026-03-15T23:00Z.
const at = new Date("2026-03-18T22:30:00Z");
const zone = "Europe/Berlin";

describe("insights from tasks", () => {
  const open = [
    task({ status: "in_progress", priority: 1, estimateMinutes: 90, due: "2026-03-17T12:00:00Z" }),
    task({ priority: 1, estimateMinutes: 30, due: "2026-03-18T22:45:00Z", source: "notion" }),
    task({ priority: 2, due: "2026-03-18T23:30:00Z", source: "jira", createdAt: "2026-03-17T08:00:00Z" }),
    task({ priority: 4, estimateMinutes: 15, due: "2026-03-30T09:00:00Z" }),
    task({}),
  ];
  const done = [
    task({ status: "done", completedAt: "2026-03-15T23:30:00Z", due: "2026-03-16T09:00:00Z" }),
    task({ status: "done", completedAt: "2026-03-15T22:30:00Z", due: "2026-03-15T09:00:00Z" }),
    task({ status: "done", completedAt: "2026-03-18T10:00:00Z", due: "2026-03-20T09:00:00Z" }),
    task({ status: "done", completedAt: "2026-03-17T10:00:00Z", createdAt: "2026-03-16T10:00:00Z" }),
    task({ status: "done", completedAt: "2026-03-02T10:00:00Z", due: "2026-03-01T10:00:00Z" }),
  ];
  const numbers = summarize({ tasks: open, complete: true }, { tasks: done, complete: true }, at, zone);

  it("counts open, late and due-soon work in the person's day", () => {
    assert.equal(numbers.asOf, "2026-03-18T22:30:00.000Z");
    assert.equal(numbers.timezone, zone);
    assert.equal(numbers.open, 5);
    assert.equal(numbers.inProgress, 1);
    assert.equal(numbers.overdue, 1);
    assert.equal(numbers.dueToday, 1, "22:45Z is still today in Berlin, 23:30Z is tomorrow");
    assert.equal(numbers.dueNext7Days, 2);
    assert.equal(numbers.unestimatedOpen, 2);
    assert.equal(numbers.openEstimatedMinutes, 135);
    assert.deepEqual(numbers.openByPriority, { p1: 2, p2: 1, p4: 1, p3: 1 });
    assert.deepEqual(numbers.openBySource, { cairn: 3, notion: 1, jira: 1 });
  });

  it("counts what got done this week (from Monday, local) and in the last 7 days, and how much on time", () => {
    assert.equal(numbers.completedThisWeek, 3, "Monday 00:30 Berlin is this week; Sunday 23:30 is not");
    assert.equal(numbers.completedLast7Days, 4);
    assert.equal(numbers.createdLast7Days, 2);
    assert.equal(numbers.onTimeRateLast7Days, 0.67, "two of the three with a due date, rounded to 2 places");
    assert.equal(numbers.complete, true);
  });

  it("says when the counts are lower bounds, and has no on-time rate without due dates", () => {
    const partial = summarize({ tasks: [], complete: false }, { tasks: [], complete: true }, at, zone);
    assert.equal(partial.complete, false);
    assert.equal(partial.onTimeRateLast7Days, null);
    assert.deepEqual(partial.openByPriority, {});
  });

  it("matches the action's output schema, keys in the order cairn://insights has always shown them", () => {
    assert.deepEqual(Object.keys(Insights.parse(numbers)), [
      "asOf",
      "timezone",
      "open",
      "inProgress",
      "overdue",
      "dueToday",
      "dueNext7Days",
      "unestimatedOpen",
      "openEstimatedMinutes",
      "openByPriority",
      "openBySource",
      "completedThisWeek",
      "completedLast7Days",
      "createdLast7Days",
      "onTimeRateLast7Days",
      "complete",
    ]);
  });
});
