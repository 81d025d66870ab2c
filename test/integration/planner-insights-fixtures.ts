/**
 * A person's working history for the planner-insights and what-if tests: finished tasks, each worked in one
 * kept (done) focus block at a fixed local hour on the working days before today, running `ratio` times over
 * its estimate. The behaviour models read it as the person's own history (basis personal).
 */
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import type { Actor } from "../../engine/actions/define.ts";
import { insertBlock } from "../../engine/db/repositories/plans.ts";
import type { Task } from "../../engine/domain.ts";
import type { TestCairn } from "../support/harness.ts";

export type Who = { token: string } & Actor;

export async function act<T>(cairn: TestCairn, who: Who, action: string, input: unknown): Promise<T> {
  const { status, body } = await cairn.call(who.token, action, input);
  assert.equal(status, 200, `${action}: ${JSON.stringify(body)}`);
  return body as T; // Boundary: the HTTP API answers the action's output schema.
}

/** The n-th working day (Mon-Fri) after `from` in UTC, as YYYY-MM-DD: the day the tests plan. */
export function workingDayAfter(from: Date, n: number): string {
  let day = DateTime.fromJSDate(from, { zone: "UTC" }).startOf("day");
  let left = n;
  while (left > 0) {
    day = day.plus({ days: 1 });
    if (day.weekday <= 5) left--;
  }
  return day.toISODate() as string;
}

export async function seedHistory(
  cairn: TestCairn,
  who: Who,
  now: Date,
  options: { tasks: number; estimateMinutes: number; ratio: number; hourUtc: number; tags?: string[] },
): Promise<void> {
  let day = DateTime.fromJSDate(now, { zone: "UTC" }).startOf("day");
  for (let i = 0; i < options.tasks; i++) {
    do day = day.minus({ days: 1 });
    while (day.weekday > 5);
    const task = await act<Task>(cairn, who, "create_task", {
      title: `Finished report ${i + 1}`,
      estimateMinutes: options.estimateMinutes,
      ...(options.tags && { tags: options.tags }),
    });
    const start = day.set({ hour: options.hourUtc });
    const end = start.plus({ minutes: Math.round(options.estimateMinutes * options.ratio) });
    await cairn.engine.services.db.scoped(who.workspace.id, (tx) =>
      insertBlock(tx, who.workspace.id, who.person.id, 0, {
        taskId: task.id,
        start: start.toISO() as string,
        end: end.toISO() as string,
        kind: "task",
        status: "done",
        explanation: { reason: "history" },
      }),
    );
    await act(cairn, who, "complete_task", { id: task.id });
  }
}
