/**
 * Write-back of subtasks: a subtask made in Cairn under a task that came from a source is created there too
 * (a Jira sub-task, a Notion sub-item) when that source's connector can, and linked to the new item so later
 * syncs and completions go both ways. A task merged from several sources gets its item in the first that can.
 */
import { getConnectionRecord } from "../db/repositories/connections.ts";
import { hasSourceIn, linkCreatedSubtask, liveSourcesOf } from "../db/repositories/subtasks.ts";
import { getTaskById } from "../db/repositories/tasks.ts";
import { CredentialRejectedError } from "./connector.ts";
import type { WritebackEnvironment } from "./writeback.ts";

export interface SubtaskWritebackResult {
  created: { source: string; externalId: string } | null;
  reason?: string;
}

export async function createSubtaskAtSource(
  env: WritebackEnvironment,
  workspaceId: string,
  taskId: string,
): Promise<SubtaskWritebackResult> {
  const { db } = env.services;
  const found = await db.scoped(workspaceId, async (tx) => {
    const task = await getTaskById(tx, taskId);
    if (!task?.parentId) return undefined;
    return { task, parentSources: await liveSourcesOf(tx, task.parentId) };
  });
  if (!found) return { created: null, reason: "no longer a subtask" };
  const { task, parentSources } = found;

  for (const source of parentSources) {
    const connection = await db.scoped(workspaceId, (tx) => getConnectionRecord(tx, source.connectionId));
    const connector = connection ? env.connectorOf(connection.kind) : undefined;
    if (!connection || !connector?.createSubtask) continue;
    if (await db.scoped(workspaceId, (tx) => hasSourceIn(tx, task.id, connection.id))) {
      return { created: null, reason: "already written" };
    }
    if (connection.status === "needs_reconnect" || connection.status === "disabled") {
      throw new CredentialRejectedError(
        `"${connection.name}" needs reconnecting before Cairn can write to it.`,
      );
    }
    const { ctx } = await env.contextFor(connection);
    const item = await connector.createSubtask(
      ctx,
      { externalId: source.externalId, scope: { id: source.scope, kind: "tasks", label: source.scope } },
      {
        title: task.title,
        description: task.description,
        due: task.due,
        estimateMinutes: task.estimateMinutes,
        tags: task.tags,
      },
    );
    await db.scoped(workspaceId, (tx) =>
      linkCreatedSubtask(tx, {
        workspaceId,
        taskId: task.id,
        connectionId: connection.id,
        source: connector.kind,
        scope: source.scope,
        externalId: item.externalId,
        url: item.url,
        parentExternal: source.externalId,
      }),
    );
    env.log.info({ connection: connection.id, externalId: item.externalId }, "subtask written back");
    return { created: { source: connector.kind, externalId: item.externalId } };
  }
  return { created: null, reason: "no source of the parent can take subtasks" };
}
