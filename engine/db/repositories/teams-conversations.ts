/**
 * Teams conversation references per person (the personal chat the bot can post to proactively). Every function
 * runs inside a workspace-scoped transaction (row-level security applies).
 */
import type { Queryable } from "../port.ts";

export interface TeamsConversationRow {
  workspaceId: string;
  personId: string;
  tenantId: string;
  conversationId: string;
  /** The Bot Framework ConversationReference, stored as the SDK produced it. */
  reference: Record<string, unknown>;
  updatedAt: Date;
}

export async function saveTeamsConversation(
  tx: Queryable,
  row: Omit<TeamsConversationRow, "updatedAt">,
): Promise<void> {
  await tx.query(
    `INSERT INTO teams_conversations (workspace_id, person_id, tenant_id, conversation_id, reference)
     VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (workspace_id, person_id)
     DO UPDATE SET tenant_id = EXCLUDED.tenant_id, conversation_id = EXCLUDED.conversation_id,
                   reference = EXCLUDED.reference, updated_at = now()`,
    [row.workspaceId, row.personId, row.tenantId, row.conversationId, JSON.stringify(row.reference)],
  );
}

export async function findTeamsConversation(
  tx: Queryable,
  workspaceId: string,
  personId: string,
): Promise<TeamsConversationRow | undefined> {
  const { rows } = await tx.query<{
    tenant_id: string;
    conversation_id: string;
    reference: unknown;
    updated_at: Date | string;
  }>(
    `SELECT tenant_id, conversation_id, reference, updated_at FROM teams_conversations
      WHERE workspace_id = $1 AND person_id = $2`,
    [workspaceId, personId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const reference = typeof row.reference === "string" ? JSON.parse(row.reference) : row.reference;
  return {
    workspaceId,
    personId,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    reference: reference as Record<string, unknown>,
    updatedAt: new Date(row.updated_at),
  };
}

export async function deleteTeamsConversation(
  tx: Queryable,
  workspaceId: string,
  personId: string,
): Promise<void> {
  await tx.query("DELETE FROM teams_conversations WHERE workspace_id = $1 AND person_id = $2", [
    workspaceId,
    personId,
  ]);
}
