import { z } from "zod";
import type { Queryable } from "../db/port.ts";
import { appendEvent, recordAudit } from "../db/repositories/event-log.ts";
import { markStartedBlocksDone } from "../db/repositories/plans.ts";
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
import { hybridSearch } from "../search/hybrid-search.ts";
import { suggestTags } from "../tags/suggest.ts";
import { type ActionContext, defineAction } from "./define.ts";

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
};

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
  }),
  output: TaskWithSuggestedTags,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["add task draft Q3 report due friday 2h p1", "remind me to review the budget tomorrow"],
  async run(ctx, input) {
    const task = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      await checkDependencies(tx, null, input.dependsOn);
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
          ...(suggestedTags.length > 0 && { suggestedTags }),
        },
      });
      return { ...created, suggestedTags };
    });
    notifyTasks(ctx, [task.id], task.personId);
    return task;
  },
});

export const getTask = defineAction({
  name: "get_task",
  title: "Get a task",
  description:
    "Returns one task by id, with its status, estimate, due date, dependencies, source, and which of its tags Cairn suggested.",
  input: z.object({ id: TaskId }),
  output: TaskWithSuggestedTags,
  annotations: { readOnlyHint: true },
  async run(ctx, input) {
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => ({
      ...(await loadTask(tx, input.id)),
      suggestedTags: await getSuggestedTags(tx, input.id),
    }));
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
  }),
  output: Task,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async run(ctx, input) {
    const { id, ...patch } = input;
    const updated = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const before = await loadTask(tx, id);
      if (patch.dependsOn) await checkDependencies(tx, id, patch.dependsOn);
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
      return task;
    });
    notifyTasks(ctx, [updated.id], updated.personId);
    return updated;
  },
});

export const completeTask = defineAction({
  name: "complete_task",
  title: "Complete a task",
  description:
    "Marks a task done, frees its remaining focus blocks, and writes the Done status back to its source when the task came from one that supports it. Completing a task twice is harmless.",
  input: z.object({ id: TaskId }),
  output: Task,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: ["done with the Q3 report", "complete 3"],
  async run(ctx, input) {
    const { task, changed } = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const before = await loadTask(tx, input.id);
      if (before.status === "done") return { task: before, changed: false };
      const task = (await updateTaskFields(tx, input.id, {
        status: "done",
        completedAt: ctx.services.now().toISOString(),
      })) as Task;
      await markStartedBlocksDone(tx, input.id);
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: input.id,
        type: "task_completed",
        payload: { via: ctx.via, due: before.due, estimateMinutes: before.estimateMinutes },
      });
      return { task, changed: true };
    });
    if (changed) {
      notifyTasks(ctx, [task.id], task.personId);
      if (task.source !== "cairn") {
        await ctx.services.jobs.enqueue(
          WRITEBACK_QUEUE,
          "complete_task",
          { workspaceId: ctx.workspace.id, taskId: task.id },
          { jobId: `complete-${task.id}`, attempts: 8, backoffMs: 2_000 },
        );
      }
    }
    return task;
  },
});

export const deleteTask = defineAction({
  name: "delete_task",
  title: "Delete a task",
  description:
    "Permanently removes a task and its planned blocks, and drops it from other tasks' dependencies. Its history stays in the event log. This cannot be undone; prefer complete_task for finished work.",
  input: z.object({ id: TaskId }),
  output: z.object({ id: z.uuid(), deleted: z.literal(true) }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  async run(ctx, input) {
    const personId = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const task = await loadTask(tx, input.id);
      await deleteTaskById(tx, input.id);
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: input.id,
        type: "task_deleted",
        payload: { via: ctx.via, title: task.title },
      });
      await recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "delete_task",
        target: input.id,
      });
      return task.personId;
    });
    notifyTasks(ctx, [input.id], personId);
    return { id: input.id, deleted: true as const };
  },
});

const statusFilter = z
  .union([TaskStatus, z.array(TaskStatus).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

export const listTasks = defineAction({
  name: "list_tasks",
  title: "List tasks",
  description:
    "Lists tasks in the workspace with optional filters (status, due window, source, tag, only mine), ordered by due date by default. Returns a page of tasks and a nextCursor to pass back for the next page (null on the last page).",
  input: z.object({
    status: statusFilter.optional().describe('One status or a list, e.g. ["todo","in_progress"]'),
    dueBefore: IsoInput.optional(),
    dueAfter: IsoInput.optional(),
    source: z.string().optional().describe("cairn, or the kind of the connector it came from"),
    tag: z.string().optional(),
    mine: z.boolean().default(false).describe("Only tasks of the calling person"),
    includeSourceDeleted: z.boolean().default(false),
    order: z.enum(["due", "created", "priority"]).default("due"),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional().describe("nextCursor from the previous page"),
  }),
  output: z.object({ tasks: z.array(Task), nextCursor: z.string().nullable() }),
  annotations: { readOnlyHint: true },
  examples: ["what's on my plate", "list my tasks due this week"],
  async run(ctx, input) {
    return ctx.services.db.scoped(ctx.workspace.id, (tx) =>
      listTasksPage(
        tx,
        { ...input, personId: input.mine ? ctx.person.id : undefined },
        { order: input.order, limit: input.limit, cursor: input.cursor },
      ),
    );
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
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => ({
      results: await hybridSearch(
        tx,
        ctx.services.embedder,
        input.query,
        { status: input.status },
        input.limit,
      ),
    }));
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
];
