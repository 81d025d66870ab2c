import assert from "node:assert/strict";
import { it } from "node:test";
import { keepWorkingSet, MAX_PLANNED_TASKS } from "../../engine/scheduling/input/gather-input.ts";
import type { PlanTask } from "../../engine/scheduling/input/plan-input.ts";

it("plans the most urgent tasks, and drops those whose prerequisite fell outside the working set", () => {
  const tasks: PlanTask[] = Array.from({ length: MAX_PLANNED_TASKS + 50 }, (_, i) => ({
    id: `t${i}`,
    title: `Task ${i}`,
    estimateMinutes: 30,
    priority: 2,
    due: null,
    earliestStart: null,
    dependsOn: [],
    splittable: true,
    energy: "medium",
  }));
  (tasks[3] as PlanTask).dependsOn = [`t${MAX_PLANNED_TASKS + 10}`]; // waits on a task past the cut
  (tasks[4] as PlanTask).dependsOn = ["t3"]; // waits on the task above
  (tasks[5] as PlanTask).dependsOn = ["t0"]; // waits on a kept task
  keepWorkingSet(tasks);
  const ids = new Set(tasks.map((t) => t.id));
  assert.equal(tasks.length, MAX_PLANNED_TASKS - 2);
  assert.ok(!ids.has("t3") && !ids.has("t4"));
  assert.ok(ids.has("t5") && ids.has("t0"));
  assert.ok(!ids.has(`t${MAX_PLANNED_TASKS}`));
});
