/**
 * Write-back of completions: a task completed in Cairn is marked done at every source it came from
 * (a task merged from Notion and Jira is completed in both). Each source is written once: a retry after
 * a partial failure skips the sources already done.
 */

import {
  type ConnectionRecord,
  getConnectionRecord,
  recordConnectionError,
  setConnectionStatus,
} from "../db/repositories/connections.ts";
import { listSourcesAwaitingCompletion, markCompletionWritten } from "../db/repositories/task-sources.ts";
import { getTaskStatus } from "../db/repositories/tasks.ts";
import type { Logger } from "../logger.ts";
import type { EngineServices } from "../services.ts";
import { type AnyConnector, type ConnectorContext, CredentialRejectedError } from "./connector.ts";

export interface WritebackEnvironment {
  services: EngineServices;
  connectorOf(kind: string): AnyConnector | undefined;
  contextFor(connection: ConnectionRecord): Promise<{ ctx: ConnectorContext<unknown, unknown> }>;
  log: Logger;
}

export interface WritebackResult {
  written: { source: string; externalId: string }[];
  skipped: { source: string; externalId: string; reason: string }[];
}

export async function completeAtSources(
  env: WritebackEnvironment,
  workspaceId: string,
  taskId: string,
): Promise<WritebackResult> {
  const { services } = env;
  const result: WritebackResult = { written: [], skipped: [] };
  const { status, sources } = await services.db.scoped(workspaceId, async (tx) => {
    const status = await getTaskStatus(tx, taskId);
    return { status, sources: await listSourcesAwaitingCompletion(tx, taskId) };
  });
  if (status !== "done") return result; // reopened (or deleted) since: nothing to write

  let failure: unknown;
  for (const source of sources) {
    const connection = await services.db.scoped(workspaceId, (tx) =>
      getConnectionRecord(tx, source.connectionId),
    );
    const connector = connection ? env.connectorOf(connection.kind) : undefined;
    if (!connection || !connector?.completeTask) {
      result.skipped.push({
        source: source.source,
        externalId: source.externalId,
        reason: "source cannot be written",
      });
      continue;
    }
    if (connection.status === "needs_reconnect" || connection.status === "disabled") {
      failure ??= new CredentialRejectedError(
        `"${connection.name}" needs reconnecting before Cairn can write to it.`,
      );
      continue;
    }
    try {
      const { ctx } = await env.contextFor(connection);
      await connector.completeTask(ctx, source.externalId);
      await services.db.scoped(workspaceId, (tx) => markCompletionWritten(tx, source.id));
      result.written.push({ source: source.source, externalId: source.externalId });
    } catch (error) {
      const message = `Could not mark ${source.externalId} done in ${connection.kind}: ${(error as Error).message}`;
      env.log.warn(
        { connection: connection.id, externalId: source.externalId, error: (error as Error).message },
        "write-back failed",
      );
      await services.db.scoped(workspaceId, (tx) =>
        error instanceof CredentialRejectedError
          ? setConnectionStatus(tx, connection.id, "needs_reconnect", message)
          : recordConnectionError(tx, connection.id, message),
      );
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return result;
}
