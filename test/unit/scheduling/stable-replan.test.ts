/** One change to the input moves no still-valid block of the next 24 hours unless a hard conflict forces it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatInstant } from "../../../engine/scheduling/explanation/plan-output.ts";
import {
  buildPlanModel,
  type PlanInputRaw,
  type PlanOutput,
  parsePlanInput,
  planSchedule,
} from "../../../engine/scheduling/index.ts";
import { keepablePreviousBlocks } from "../../../engine/scheduling/solver/stability.ts";
import { generateScenario } from "../../bench/planner/generator.ts";
import { assertValid } from "./fixtures.ts";

const DAY = 24 * 60 * 60_000;
const key = (b: { taskId: string; start: string; end: string }) =>
  `${b.taskId}|${Date.parse(b.start)}|${Date.parse(b.end)}`;

/** Blocks of `before` starting in the next 24 h that `after` moved although they were still valid. */
function unforcedMoves(before: PlanOutput, changed: PlanInputRaw, after: PlanOutput) {
  const model = buildPlanModel(parsePlanInput(changed));
  const valid = new Set(
    keepablePreviousBlocks(model).map((p) =>
      key({
        taskId: model.tasks[p.task]?.id ?? "",
        start: formatInstant(p.start),
        end: formatInstant(p.start + p.minutes),
      }),
    ),
  );
  const now = Date.parse(changed.now);
  const soon = before.blocks.filter((b) => Date.parse(b.start) >= now && Date.parse(b.start) < now + DAY);
  const kept = new Set(after.blocks.map(key));
  return { soon: soon.length, moved: soon.filter((b) => !kept.has(key(b)) && valid.has(key(b))).length };
}

describe("stable replans", () => {
  it("moves only what an urgent new task needs when it is added to an 80-task fortnight", () => {
    const base: PlanInputRaw = { ...generateScenario(2026, 10).input, previousBlocks: [] };
    const first = planSchedule(base);
    // Due within a day: it has to take some of the next 24 hours, but not the whole day's plan.
    const due = new Date(Date.parse(base.now) + DAY).toISOString();
    const changed: PlanInputRaw = {
      ...base,
      tasks: [...base.tasks, { id: "added", title: "Added", estimateMinutes: 30, due, priority: 1 }],
      previousBlocks: first.blocks.map(({ taskId, start, end }) => ({ taskId, start, end })),
    };
    const second = assertValid(changed, planSchedule(changed));
    const { soon, moved } = unforcedMoves(first, changed, second);
    assert.ok(soon >= 10, `only ${soon} blocks in the next 24 h`);
    assert.ok(moved <= Math.ceil(soon * 0.1), `${moved} of ${soon} still-valid blocks moved`);
    assert.ok(second.blocks.some((b) => b.taskId === "added"));
  });
});
