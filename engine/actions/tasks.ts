import { z } from "zod";
import { learnCompletions } from "../behavior/calibration.ts";
import type { Queryable } from "../db/port.ts";
import { appendEvent, recordAudit } from "../db/repositories/event-log.ts";
import { markStartedBlocksDone } from "../db/repositories/plans.ts";
import {
  keepCreationOrder,
  listDescendants,
  liveSourcesOf,
  openSubtaskCounts,
} from "../db/repositories/subtasks.ts";
import {
  clearSuggestedTags,
  getSuggestedTags,
  markSuggestedTags,
} from "../db/repositories/tag-suggestions.ts";
import {
  deleteTaskById,
  dependencyEdges,
  getTaskById,
  getTasksByIds,
  insertTask,
  listTasksPage,
  type TaskFields,
  updateTaskFields,
} from "../db/repositories/tasks.ts";
import { Energy, IsoInput, Priority, Task, TaskStatus } from "../domain.ts";
import { invalidInput, notFound } from "../errors.ts";
import { isZero, toVectorLiteral } from "../search/embedder.ts";
import { searchWorkspace } from "../search/hybrid-search.ts";
import { suggestTags } from "../tags/suggest.ts";
import { keepAnswerInTransaction } from "./answer-in-transaction.ts";
import { type ActionContext, defineAction } from "./define.ts";
import {
  buildTree,
  cascadeNeeded,
  checkParent,
  childrenIndex,
  isOpen,
  openDescendants,
  remainingEstimate,
  Subtask,
  TaskNode,
} from "./subtask-rules.ts";

const TaskId = z.uuid().describe("The task's id (a UUID, as returned by create_task or list_tasks)");
const Tags = z.array(z.string().trim().min(1).max(50)).max(30);

const editable = {
  description: z.string().max(20_000).describe("Longer notes"),
  priority: Priority,
  estimateMinutes: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .nullable()
    .describe("How long the work takes, in minutes"),
  due: IsoInput.nullable().describe("Deadline, ISO 8601 with offset, e.g. 2026-03-10T16:00:00Z"),
  earliestStart: IsoInput.nullable().describe("Do not schedule before this time"),
  dependsOn: z.array(TaskId).max(50).describe("Tasks that must be finished first"),
  tags: Tags,
  splittable: z.boolean().describe("Whether the work may be split over several focus blocks"),
  energy: Energy.describe("How demanding the work is; high-energy work goes in peak hours"),
  parentId: TaskId.nullable().describe(
    "Makes this a subtask of that task (null: a top-level task). While a task has open subtasks, Cairn plans the subtasks instead of it.",
  ),
};

export const SUBTASK_WRITEBACK_JOB = "create_subtask";

export const WRITEBACK_QUEUE = "writeback";

const TaskWithSuggestedTags = Task.extend({
  suggestedTags: z
    .array(z.string())
    .describe(
      "Tags Cairn applied from similar tasks, not chosen by a person; update_task with tags confirms or undoes them",
    ),
});

function embeddingFor(
  ctx: ActionContext,
  title: string,
  description: string,
  tags: readonly string[],
): string | null {
  const vector = ctx.services.embedder.embed([title, description, tags.join(" ")].join("\n"));
  return isZero(vector) ? null : toVectorLiteral(vector);
}

async function checkDependencies(
  tx: Queryable,
  taskId: string | null,
  dependsOn: readonly string[],
): Promise<void> {
  if (dependsOn.length === 0) return;
  if (taskId && dependsOn.includes(taskId)) {
    throw invalidInput("A task cannot depend on itself", [
      { path: "dependsOn", message: "remove the task's own id" },
    ]);
  }
  const found = new Set((await getTasksByIds(tx, dependsOn)).map((task) => task.id));
  dependsOn.forEach((id, index) => {
    if (!found.has(id)) {
      throw invalidInput(`dependsOn[${index}]: no task ${id} in this workspace`, [
        { path: `dependsOn[${index}]`, message: `no task ${id} in this workspace` },
      ]);
    }
  });
  if (!taskId) return;
  const edges = await dependencyEdges(tx);
  edges.set(taskId, [...dependsOn]);
  const stack = [...dependsOn];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === taskId) {
      throw invalidInput("These dependencies would form a cycle", [
        { path: "dependsOn", message: "a listed task already depends (directly or not) on this one" },
      ]);
    }
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...(edges.get(current) ?? []));
  }
}

async function loadTask(tx: Queryable, id: string): Promise<Task> {
  const task = await getTaskById(tx, id);
  if (!task) throw notFound(`No task ${id} in this workspace. Find ids with list_tasks or search_tasks.`);
  return task;
}

function notifyTasks(ctx: ActionContext, ids: string[], personId: string | null): void {
  ctx.services.changes.notify({ kind: "tasks", workspaceId: ctx.workspace.id, personId, ids });
}

export const createTask = defineAction({
  name: "create_task",
  title: "Create a task",
  description:
    "Adds a task for the current person. Give at least a title; add an estimate and a due date so Cairn can plan focus time for it. Without tags, Cairn applies the tags of similar tasks it is confident about and lists them in suggestedTags (undo with update_task and tags; give tags: [] for none). Returns the stored task with its id.",
  input: z.object({
    title: z.string().trim().min(1).max(500).describe("What needs doing"),
    description: editable.description.default(""),
    priority: Priority.default(3),
    estimateMinutes: editable.estimateMinutes.optional(),
    due: editable.due.optional(),
    earliestStart: editable.earliestStart.optional(),
    dependsOn: editable.dependsOn.default([]),
    tags: Tags.optional().describe("Without tags, confident suggestions from similar tasks are applied"),
    splittable: z.boolean().default(true),
    energy: Energy.default("medium"),
    parentId: editable.parentId.optional(),
  }),
  output: TaskWithSuggestedTags,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: [
    "add task draft Q3 report due friday 2h p1",
    "remind me to review the budget tomorrow",
    "add subtask write outline to Draft Q3 report",
  ],
  async run(ctx, input) {
    const task = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      await checkDependencies(tx, null, input.dependsOn);
      if (input.parentId) await checkParent(tx, null, input.parentId);
      const suggestedTags = input.tags
        ? []
        : (
            await suggestTags(tx, ctx.services.embedder, {
              title: input.title,
              notes: input.description,
              minConfidence: ctx.services.config.CAIRN_TAG_SUGGESTION_THRESHOLD,
            })
          ).map((suggestion) => suggestion.tag);
      const tags = input.tags ?? suggestedTags;
      const fields: TaskFields = {
        ...input,
        parentId: input.parentId ?? null,
        tags,
        estimateMinutes: input.estimateMinutes ?? null,
        due: input.due ?? null,
        earliestStart: input.earliestStart ?? null,
        status: "todo",
        personId: ctx.person.id,
        source: "cairn",
        externalId: null,
        connectionId: null,
        url: null,
        embedding: embeddingFor(ctx, input.title, input.description, tags),
      };
      const created = await insertTask(tx, ctx.workspace.id, fields);
      if (suggestedTags.length > 0) await markSuggestedTags(tx, created.id, suggestedTags);
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: created.id,
        type: "task_created",
        payload: {
          via: ctx.via,
          estimateMinutes: created.estimateMinutes,
          due: created.due,
          priority: created.priority,
          ...(created.parentId ? { parentId: created.parentId } : {}),
          ...(suggestedTags.length > 0 && { suggestedTags }),
        },
      });
      const output = { ...created, suggestedTags };
      await keepAnswerInTransaction("create_task", tx, output);
      return output;
    });
    notifyTasks(ctx, [task.id], task.personId);
    if (task.parentId) await writeSubtaskBack(ctx, [task]);
    return task;
  },
});

export const getTask = defineAction({
  name: "get_task",
  title: "Get a task",
  description:
    "Returns one task by id, with its status, estimate, due date, dependencies, source, its direct subtasks, its remaining estimate (its own, else the sum of its open subtasks') and which of its tags Cairn suggested.",
  input: z.object({ id: TaskId }),
  output: TaskWithSuggestedTags.extend({
    subtasks: z.array(Subtask).describe("Direct subtasks, oldest first"),
    openSubtasks: z.number().int().describe("How many subtasks (at any depth) are still open"),
    remainingEstimateMinutes: z
      .number()
      .int()
      .nullable()
      .describe("Its own estimate, else the sum of its open subtasks' remaining estimates"),
  }),
  annotations: { readOnlyHint: true },
  async run(ctx, input) {
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const task = await loadTask(tx, input.id);
      const below = await listDescendants(tx, [task.id]);
      return {
        ...task,
        subtasks: below
          .filter((child) => child.parentId === task.id)
          .map(({ id, title, status, estimateMinutes }) => ({ id, title, status, estimateMinutes })),
        openSubtasks: below.filter(isOpen).length,
        remainingEstimateMinutes: remainingEstimate(task, childrenIndex(below)),
        suggestedTags: await getSuggestedTags(tx, task.id),
      };
    });
  },
});

export const updateTask = defineAction({
  name: "update_task",
  title: "Update a task",
  description:
    "Changes some fields of a task; fields you leave out stay as they are, and null clears an optional field. Moving the due date later is recorded as a deferral. Setting tags replaces any tags Cairn suggested (they then count as chosen). Returns the updated task.",
  input: z.object({
    id: TaskId,
    title: z.string().trim().min(1).max(500).optional(),
    status: TaskStatus.optional().describe("Use complete_task to finish a task so its sources are updated"),
    description: editable.description.optional(),
    priority: editable.priority.optional(),
    estimateMinutes: editable.estimateMinutes.optional(),
    due: editable.due.optional(),
    earliestStart: editable.earliestStart.optional(),
    dependsOn: editable.dependsOn.optional(),
    tags: editable.tags.optional(),
    splittable: editable.splittable.optional(),
    energy: editable.energy.optional(),
    parentId: editable.parentId.optional(),
  }),
  output: Task,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async run(ctx, input) {
    const { id, ...patch } = input;
    const { updated, parents } = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const before = await loadTask(tx, id);
      if (patch.dependsOn) await checkDependencies(tx, id, patch.dependsOn);
      if (patch.parentId) await checkParent(tx, id, patch.parentId);
      if (patch.status === "done" && before.status !== "done") {
        const open = (await openDescendants(tx, id)).length;
        if (open > 0) throw cascadeNeeded("complete", before, open);
      }
      const title = patch.title ?? before.title;
      const description = patch.description ?? before.description;
      const tags = patch.tags ?? before.tags;
      const textChanged =
        patch.title !== undefined || patch.description !== undefined || patch.tags !== undefined;
      const task = await updateTaskFields(tx, id, {
        ...patch,
        ...(patch.status === "done" ? { completedAt: new Date().toISOString() } : {}),
        ...(patch.status && patch.status !== "done" ? { completedAt: null } : {}),
        ...(textChanged ? { embedding: embeddingFor(ctx, title, description, tags) } : {}),
      });
      if (!task) throw notFound(`No task ${id} in this workspace.`);
      if (patch.tags !== undefined) await clearSuggestedTags(tx, id);
      const deferred =
        patch.due !== undefined &&
        before.due !== null &&
        (patch.due === null || Date.parse(patch.due) > Date.parse(before.due));
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: id,
        type: deferred ? "task_deferred" : patch.status === "in_progress" ? "task_started" : "task_edited",
        payload: { via: ctx.via, fields: Object.keys(patch), previousDue: before.due, due: task.due },
      });
      const finished = patch.status === "done" && before.status !== "done";
      // Finished or reopened: the assignee's stored effort calibration gains or loses this task's sample.
      if (patch.status !== undefined && (patch.status === "done") !== (before.status === "done")) {
        for (const personId of new Set([before.personId, task.personId]))
          if (personId) await learnCompletions(tx, ctx.workspace.id, personId, ctx.services.now());
      }
      return { updated: task, parents: finished ? await closeFinishedParents(ctx, tx, task) : [] };
    });
    notifyTasks(ctx, [updated.id], updated.personId);
    for (const parent of parents) notifyTasks(ctx, [parent.id], parent.personId);
    await writeCompletionsBack(ctx, parents);
    return updated;
  },
});

const AlsoCompleted = z.object({
  id: z.uuid(),
  title: z.string(),
  why: z
    .enum(["subtask", "parent"])
    .describe("subtask: closed by cascade; parent: its last open subtask was done"),
});

export const completeTask = defineAction({
  name: "complete_task",
  title: "Complete a task",
  description:
    "Marks a task done, frees its remaining focus blocks, and writes the Done status back to its source when the task came from one that supports it. A task with open subtasks is only completed with cascade: true (which completes them too); completing the last open subtask completes its parent. Completing a task twice is harmless.",
  input: z.object({
    id: TaskId,
    cascade: z
      .boolean()
      .default(false)
      .describe("Also complete the task's open subtasks; required when it has some"),
  }),
  output: Task.extend({
    alsoCompleted: z.array(AlsoCompleted).describe("Subtasks and parents completed along with it"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: ["done with the Q3 report", "complete 3"],
  async run(ctx, input) {
    const { task, closed, changed } = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const before = await loadTask(tx, input.id);
      if (before.status === "done") return { task: before, closed: [] as Closed[], changed: false };
      const open = await openDescendants(tx, input.id);
      if (open.length > 0 && !input.cascade) throw cascadeNeeded("complete", before, open.length);
      const closed: Closed[] = [];
      // Children first, so the event log reads in the order the work was closed.
      for (const child of [...open].reverse())
        closed.push({ task: await closeTask(ctx, tx, child), why: "subtask" });
      const task = await closeTask(ctx, tx, before);
      for (const parent of await closeFinishedParents(ctx, tx, task))
        closed.push({ task: parent, why: "parent" });
      return { task, closed, changed: true };
    });
    const all = [task, ...closed.map((c) => c.task)];
    if (changed) {
      for (const done of all) notifyTasks(ctx, [done.id], done.personId);
      await writeCompletionsBack(ctx, all);
    }
    return {
      ...task,
      alsoCompleted: closed.map((c) => ({ id: c.task.id, title: c.task.title, why: c.why })),
    };
  },
});

interface Closed {
  task: Task;
  why: "subtask" | "parent";
}

/** Completes the ancestors of a task just done whose subtasks are now all closed, nearest first. */
async function closeFinishedParents(ctx: ActionContext, tx: Queryable, done: Task): Promise<Task[]> {
  const closed: Task[] = [];
  let parentId = done.parentId;
  while (parentId) {
    const parent = await getTaskById(tx, parentId);
    if (!parent || !isOpen(parent)) break;
    if ((await openSubtaskCounts(tx, [parent.id])).has(parent.id)) break;
    closed.push(await closeTask(ctx, tx, parent));
    parentId = parent.parentId;
  }
  return closed;
}

async function closeTask(ctx: ActionContext, tx: Queryable, before: Task): Promise<Task> {
  const task = (await updateTaskFields(tx, before.id, {
    status: "done",
    completedAt: ctx.services.now().toISOString(),
  })) as Task;
  await markStartedBlocksDone(tx, before.id);
  await appendEvent(tx, {
    workspaceId: ctx.workspace.id,
    personId: ctx.person.id,
    taskId: before.id,
    type: "task_completed",
    payload: { via: ctx.via, due: before.due, estimateMinutes: before.estimateMinutes },
  });
  if (task.personId) await learnCompletions(tx, ctx.workspace.id, task.personId, ctx.services.now());
  return task;
}

/** The existing write-back path: one job per task that came from a source. */
async function writeCompletionsBack(ctx: ActionContext, tasks: readonly Task[]): Promise<void> {
  for (const task of tasks) {
    if (task.source === "cairn") continue;
    await ctx.services.jobs.enqueue(
      WRITEBACK_QUEUE,
      "complete_task",
      { workspaceId: ctx.workspace.id, taskId: task.id },
      { jobId: `complete-${task.id}`, attempts: 8, backoffMs: 2_000 },
    );
  }
}

/** New subtasks under a task that came from a source: the sync engine creates them there when it can. */
async function writeSubtaskBack(ctx: ActionContext, tasks: readonly Task[]): Promise<void> {
  for (const task of tasks) {
    if (!task.parentId) continue;
    const parentSources = await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
      liveSourcesOf(tx, task.parentId as string),
    );
    if (parentSources.length === 0) continue;
    await ctx.services.jobs.enqueue(
      WRITEBACK_QUEUE,
      SUBTASK_WRITEBACK_JOB,
      { workspaceId: ctx.workspace.id, taskId: task.id },
      { jobId: `subtask-${task.id}`, attempts: 8, backoffMs: 2_000 },
    );
  }
}

export const deleteTask = defineAction({
  name: "delete_task",
  title: "Delete a task",
  description:
    "Permanently removes a task and its planned blocks, and drops it from other tasks' dependencies. Its history stays in the event log. A task with subtasks is only deleted with cascade: true, which deletes the subtasks too. This cannot be undone; prefer complete_task for finished work.",
  input: z.object({
    id: TaskId,
    cascade: z
      .boolean()
      .default(false)
      .describe("Also delete the task's subtasks; required when it has some"),
  }),
  output: z.object({
    id: z.uuid(),
    deleted: z.literal(true),
    deletedSubtasks: z
      .array(z.uuid())
      .optional()
      .describe("Subtasks deleted with it (cascade), when there were some"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  async run(ctx, input) {
    const { people, subtaskIds } = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const task = await loadTask(tx, input.id);
      const below = await listDescendants(tx, [input.id]);
      if (below.length > 0 && !input.cascade) throw cascadeNeeded("delete", task, below.length);
      for (const gone of [...below].reverse().concat(task)) {
        await deleteTaskById(tx, gone.id);
        await appendEvent(tx, {
          workspaceId: ctx.workspace.id,
          personId: ctx.person.id,
          taskId: gone.id,
          type: "task_deleted",
          payload: { via: ctx.via, title: gone.title },
        });
        await recordAudit(tx, {
          workspaceId: ctx.workspace.id,
          actorPersonId: ctx.person.id,
          actor: ctx.person.email,
          action: "delete_task",
          target: gone.id,
        });
      }
      return {
        people: [...new Set([task, ...below].map((t) => t.personId))],
        subtaskIds: below.map((t) => t.id),
      };
    });
    for (const personId of people) notifyTasks(ctx, [input.id, ...subtaskIds], personId);
    return {
      id: input.id,
      deleted: true as const,
      ...(subtaskIds.length > 0 ? { deletedSubtasks: subtaskIds } : {}),
    };
  },
});

const statusFilter = z
  .union([TaskStatus, z.array(TaskStatus).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

export const listTasks = defineAction({
  name: "list_tasks",
  title: "List tasks",
  description:
    "Lists tasks in the workspace with optional filters (status, due window, source, tag, only mine, subtasks of one parent), ordered by due date by default. With tree: true it lists top-level tasks (or the parentId's subtasks) with their subtasks nested under `subtasks`. Returns a page of tasks and a nextCursor to pass back for the next page (null on the last page).",
  input: z.object({
    status: statusFilter.optional().describe('One status or a list, e.g. ["todo","in_progress"]'),
    dueBefore: IsoInput.optional(),
    dueAfter: IsoInput.optional(),
    source: z.string().optional().describe("cairn, or the kind of the connector it came from"),
    tag: z.string().optional(),
    mine: z.boolean().default(false).describe("Only tasks of the calling person"),
    parentId: TaskId.optional().describe("Only the direct subtasks of this task"),
    tree: z
      .boolean()
      .default(false)
      .describe(
        "Nest subtasks under their parents: the page holds top-level tasks (or parentId's subtasks), each with `subtasks` (the status filter applies at every level)",
      ),
    includeSourceDeleted: z.boolean().default(false),
    order: z.enum(["due", "created", "priority"]).default("due"),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional().describe("nextCursor from the previous page"),
  }),
  output: z.object({ tasks: z.array(TaskNode.or(Task)), nextCursor: z.string().nullable() }),
  annotations: { readOnlyHint: true },
  examples: ["what's on my plate", "list my tasks due this week", "subtasks of Draft Q3 report"],
  async run(ctx, input) {
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      if (input.parentId && !(await getTaskById(tx, input.parentId))) {
        throw invalidInput(`parentId: no task ${input.parentId} in this workspace`, [
          { path: "parentId", message: "find ids with list_tasks or search_tasks" },
        ]);
      }
      const page = await listTasksPage(
        tx,
        {
          ...input,
          personId: input.mine ? ctx.person.id : undefined,
          parent: input.parentId ?? (input.tree ? null : undefined),
        },
        { order: input.order, limit: input.limit, cursor: input.cursor },
      );
      if (!input.tree) return page;
      const below = await listDescendants(
        tx,
        page.tasks.map((task) => task.id),
      );
      const shown = (task: Task) =>
        (!input.status || input.status.includes(task.status)) &&
        (input.includeSourceDeleted || task.sourceDeletedAt === null);
      return { tasks: buildTree(page.tasks, below, shown), nextCursor: page.nextCursor };
    });
  },
});

const ProposedSubtask = z.object({
  title: z.string().trim().min(1).max(500).describe("What needs doing"),
  estimateMinutes: editable.estimateMinutes.optional(),
  due: editable.due.optional(),
  priority: Priority.optional().describe("Defaults to the parent's priority"),
  tags: Tags.optional().describe("Defaults to the parent's tags"),
});

export const createSubtasks = defineAction({
  name: "create_subtasks",
  title: "Create subtasks",
  description:
    "Adds several subtasks under one task at once (for example the steps break_down_task proposed, once the person accepts them). Each subtask takes a title and optionally an estimate, due date, priority and tags; priority and tags default to the parent's, and a subtask never falls due after its parent. Returns the created tasks in the order given.",
  input: z.object({
    parentId: TaskId.describe("The task the subtasks belong to"),
    subtasks: z.array(ProposedSubtask).min(1).max(50),
  }),
  output: z.object({ parentId: z.uuid(), tasks: z.array(Task) }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async run(ctx, input) {
    const created = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const parent = await checkParent(tx, null, input.parentId);
      const tasks: Task[] = [];
      for (const proposed of input.subtasks) {
        const tags = proposed.tags ?? parent.tags;
        const due = proposed.due ?? parent.due;
        const task = await insertTask(tx, ctx.workspace.id, {
          title: proposed.title,
          description: "",
          status: "todo",
          priority: proposed.priority ?? parent.priority,
          estimateMinutes: proposed.estimateMinutes ?? null,
          due: due && parent.due && Date.parse(due) > Date.parse(parent.due) ? parent.due : due,
          earliestStart: null,
          dependsOn: [],
          parentId: parent.id,
          tags,
          splittable: true,
          energy: parent.energy,
          personId: parent.personId ?? ctx.person.id,
          source: "cairn",
          externalId: null,
          connectionId: null,
          url: null,
          embedding: embeddingFor(ctx, proposed.title, "", tags),
        });
        await appendEvent(tx, {
          workspaceId: ctx.workspace.id,
          personId: ctx.person.id,
          taskId: task.id,
          type: "task_created",
          payload: {
            via: ctx.via,
            estimateMinutes: task.estimateMinutes,
            due: task.due,
            priority: task.priority,
            parentId: parent.id,
          },
        });
        tasks.push(task);
      }
      await keepCreationOrder(
        tx,
        tasks.map((task) => task.id),
      );
      await keepAnswerInTransaction("create_subtasks", tx, { parentId: input.parentId, tasks });
      return tasks;
    });
    for (const task of created) notifyTasks(ctx, [task.id], task.personId);
    await writeSubtaskBack(ctx, created);
    return { parentId: input.parentId, tasks: created };
  },
});

export const searchTasks = defineAction({
  name: "search_tasks",
  title: "Search tasks",
  description:
    'Finds tasks by meaning and by words: full-text search and embedding similarity, fused by reciprocal rank, so "budget review" also finds "review the Q3 spending plan". Returns the best matches with a score and which method matched.',
  input: z.object({
    query: z.string().trim().min(1).max(500),
    status: statusFilter.optional(),
    limit: z.number().int().min(1).max(50).default(10),
  }),
  output: z.object({
    results: z.array(
      z.object({ task: Task, score: z.number(), matchedBy: z.array(z.enum(["text", "vector"])) }),
    ),
  }),
  annotations: { readOnlyHint: true },
  examples: ["find the budget task"],
  async run(ctx, input) {
    return {
      results: await searchWorkspace(
        ctx.services.db,
        ctx.workspace.id,
        ctx.services.embedder,
        input.query,
        { status: input.status },
        input.limit,
      ),
    };
  },
});

export const taskActions = [
  createTask,
  getTask,
  updateTask,
  completeTask,
  deleteTask,
  listTasks,
  searchTasks,
  createSubtasks,
];
