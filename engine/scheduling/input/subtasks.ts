/**
 * Subtasks in the planner's input: while a task has open subtasks, its subtasks are planned instead of it.
 * A subtask inherits what constrains its parent (the due date when it has none, the earliest start, the
 * prerequisites), and a task that waits for the parent waits for the parent's open subtasks.
 */
import type { Queryable } from "../../db/port.ts";
import { listOpenChildren } from "../../db/repositories/subtasks.ts";
import type { Task } from "../../domain.ts";

/** Pure: replaces parents that have open subtasks (`openChildren`, any person's) in the person's open tasks. */
export function planSubtasksInsteadOfParents(open: readonly Task[], openChildren: readonly Task[]): Task[] {
  const byId = new Map([...open, ...openChildren].map((task) => [task.id, task]));
  const childrenOf = new Map<string, string[]>();
  for (const child of openChildren) {
    if (!child.parentId) continue;
    childrenOf.set(child.parentId, [...(childrenOf.get(child.parentId) ?? []), child.id]);
  }
  if (childrenOf.size === 0) return [...open];

  // A replaced parent stands for the leaves under it (its subtasks, their subtasks...).
  const leavesOf = (id: string, seen = new Set<string>()): string[] => {
    const children = childrenOf.get(id);
    if (!children || seen.has(id)) return [id];
    seen.add(id);
    return children.flatMap((child) => leavesOf(child, seen));
  };
  const later = (a: string | null, b: string | null) =>
    a === null ? b : b === null ? a : Date.parse(a) >= Date.parse(b) ? a : b;
  const earlier = (a: string | null, b: string | null) =>
    a === null ? b : b === null ? a : Date.parse(a) <= Date.parse(b) ? a : b;

  /** The subtask with what its ancestors impose, walking up while the ancestors are replaced ones. */
  const constrained = (task: Task): Task => {
    let due = task.due;
    let earliestStart = task.earliestStart;
    const dependsOn = new Set(task.dependsOn);
    let parent = task.parentId ? byId.get(task.parentId) : undefined;
    const seen = new Set<string>([task.id]);
    while (parent && childrenOf.has(parent.id) && !seen.has(parent.id)) {
      seen.add(parent.id);
      due = due ?? parent.due;
      if (due && parent.due) due = earlier(due, parent.due);
      earliestStart = later(earliestStart, parent.earliestStart);
      for (const dep of parent.dependsOn) dependsOn.add(dep);
      parent = parent.parentId ? byId.get(parent.parentId) : undefined;
    }
    const expanded = [...dependsOn].flatMap((dep) => leavesOf(dep)).filter((dep) => dep !== task.id);
    return { ...task, due, earliestStart, dependsOn: [...new Set(expanded)] };
  };

  const mine = new Set(open.map((task) => task.id));
  return open.filter((task) => !childrenOf.has(task.id) && mine.has(task.id)).map(constrained);
}

/** The person's open tasks as the planner should see them (see planSubtasksInsteadOfParents). */
export async function withSubtasksPlanned(tx: Queryable, open: Task[]): Promise<Task[]> {
  const openChildren: Task[] = [];
  let parents = open.map((task) => task.id);
  const seen = new Set(parents);
  // Level by level: a subtask that has open subtasks of its own is replaced too.
  for (let depth = 0; depth < 20 && parents.length > 0; depth += 1) {
    const children = await listOpenChildren(tx, parents);
    openChildren.push(...children);
    parents = children.map((child) => child.id).filter((id) => !seen.has(id));
    for (const id of parents) seen.add(id);
  }
  return planSubtasksInsteadOfParents(open, openChildren);
}
