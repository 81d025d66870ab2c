/**
 * The rules of subtasks the task actions share: where a task may hang (not under itself nor its own
 * descendants), what completing one does to its parent and children, and the parent's remaining estimate.
 */
import { z } from "zod";
import type { Queryable } from "../db/port.ts";
import { ancestorIds, listDescendants } from "../db/repositories/subtasks.ts";
import { getTaskById } from "../db/repositories/tasks.ts";
import { Task } from "../domain.ts";
import { CairnError, ErrorCode, invalidInput } from "../errors.ts";

const OPEN_STATUSES = new Set(["todo", "in_progress"]);
export const isOpen = (task: Pick<Task, "status" | "sourceDeletedAt">): boolean =>
  OPEN_STATUSES.has(task.status) && task.sourceDeletedAt === null;

/** Refuses a parentId that is not a task of the workspace, the task itself, or one of its descendants. */
export async function checkParent(tx: Queryable, taskId: string | null, parentId: string): Promise<Task> {
  if (taskId === parentId) {
    throw invalidInput("parentId: a task cannot be its own parent", [
      { path: "parentId", message: "give another task's id, or null to make it a top-level task" },
    ]);
  }
  const parent = await getTaskById(tx, parentId);
  if (!parent) {
    throw invalidInput(`parentId: no task ${parentId} in this workspace`, [
      { path: "parentId", message: `no task ${parentId} in this workspace; find ids with list_tasks` },
    ]);
  }
  if (taskId && (await ancestorIds(tx, parentId)).includes(taskId)) {
    throw invalidInput("parentId: that task is one of this task's own subtasks, so it cannot be its parent", [
      {
        path: "parentId",
        message: "a parent cannot be its own descendant; move the subtask out first, or pick another parent",
      },
    ]);
  }
  return parent;
}

/** 409 for closing (or deleting) a task whose subtasks are still open, naming `cascade`. */
export function cascadeNeeded(verb: "complete" | "delete", task: Task, open: number): CairnError {
  const what =
    verb === "complete"
      ? `${open} open subtask${open === 1 ? "" : "s"}`
      : `${open} subtask${open === 1 ? "" : "s"}`;
  const then = verb === "complete" ? "completes them too" : "deletes them too";
  return new CairnError(
    ErrorCode.Conflict,
    `"${task.title}" has ${what}. Send cascade: true to ${verb} it anyway (it ${then}), or ${verb} the subtasks first.`,
    { issues: [{ path: "cascade", message: `set cascade: true to ${verb} the ${what} as well` }] },
  );
}

/**
 * Remaining minutes of work: the task's own estimate when it has one; else the sum of its open subtasks'
 * remaining estimates (recursively); null when neither says.
 */
export function remainingEstimate(task: Task, childrenOf: (id: string) => readonly Task[]): number | null {
  if (task.estimateMinutes !== null) return task.estimateMinutes;
  const open = childrenOf(task.id).filter(isOpen);
  if (open.length === 0) return null;
  let sum = 0;
  let known = false;
  for (const child of open) {
    const minutes = remainingEstimate(child, childrenOf);
    if (minutes !== null) {
      sum += minutes;
      known = true;
    }
  }
  return known ? sum : null;
}

/** Groups tasks by parent id, oldest first as given. */
export function childrenIndex(tasks: readonly Task[]): (id: string) => Task[] {
  const byParent = new Map<string, Task[]>();
  for (const task of tasks) {
    if (!task.parentId) continue;
    byParent.set(task.parentId, [...(byParent.get(task.parentId) ?? []), task]);
  }
  return (id) => byParent.get(id) ?? [];
}

export const Subtask = z.object({
  id: z.uuid(),
  title: z.string(),
  status: Task.shape.status,
  estimateMinutes: z.number().int().nullable(),
});

/** One task of a `tree: true` listing, with its subtasks nested. */
export interface TaskNode extends Task {
  remainingEstimateMinutes: number | null;
  subtasks: TaskNode[];
}
export const TaskNode: z.ZodType<TaskNode> = Task.extend({
  remainingEstimateMinutes: z.number().int().nullable(),
  get subtasks(): z.ZodArray<z.ZodType<TaskNode>> {
    return z.array(TaskNode);
  },
});

/** Nests each root's subtree under it: the subtasks `shown` keeps (a hidden one hides its own subtree). */
export function buildTree(
  roots: readonly Task[],
  descendants: readonly Task[],
  shown: (task: Task) => boolean = () => true,
): TaskNode[] {
  const childrenOf = childrenIndex(descendants);
  const node = (task: Task, depth: number): TaskNode => ({
    ...task,
    remainingEstimateMinutes: remainingEstimate(task, childrenOf),
    subtasks:
      depth < 100
        ? childrenOf(task.id)
            .filter(shown)
            .map((child) => node(child, depth + 1))
        : [],
  });
  return roots.map((root) => node(root, 0));
}

/** The open tasks under a task (all depths), deepest last. */
export async function openDescendants(tx: Queryable, id: string): Promise<Task[]> {
  return (await listDescendants(tx, [id])).filter(isOpen);
}
