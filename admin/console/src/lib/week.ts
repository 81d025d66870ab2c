/** The week the Plans page shows, and which open tasks have no block in it. */

const DAY = 86_400_000;

/** Seven days from UTC midnight today, shifted by whole weeks. */
export function weekRange(now: number, weekOffset: number): { from: string; to: string } {
  const today = Math.floor(now / DAY) * DAY;
  const from = today + weekOffset * 7 * DAY;
  return { from: new Date(from).toISOString(), to: new Date(from + 7 * DAY).toISOString() };
}

export function unscheduledTasks<T extends { id: string; status: string }>(
  tasks: readonly T[],
  blocks: readonly { taskId: string | null; status: string }[],
): T[] {
  const placed = new Set(blocks.filter((block) => block.status !== "deleted").map((block) => block.taskId));
  return tasks.filter(
    (task) => (task.status === "todo" || task.status === "in_progress") && !placed.has(task.id),
  );
}
