/** Chat memory rows. Every function runs inside a workspace-scoped transaction (row-level security applies). */
import type { Queryable } from "../port.ts";

export interface ConversationKey {
  workspaceId: string;
  personId: string;
  /** The surface's conversation: "slack:T1:D123", "teams:<conversation id>", "terminal:<session>". */
  conversation: string;
}

/** The stored state, or null when there is none or it expired. */
export async function readConversationMemory(
  tx: Queryable,
  key: ConversationKey,
  now: Date,
): Promise<unknown> {
  const { rows } = await tx.query<{ state: unknown }>(
    `SELECT state FROM conversation_memory
      WHERE workspace_id = $1 AND conversation_key = $2 AND person_id = $3 AND expires_at > $4`,
    [key.workspaceId, key.conversation, key.personId, now.toISOString()],
  );
  const state = rows[0]?.state;
  return typeof state === "string" ? JSON.parse(state) : (state ?? null);
}

export async function writeConversationMemory(
  tx: Queryable,
  key: ConversationKey,
  state: unknown,
  expiresAt: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO conversation_memory (workspace_id, conversation_key, person_id, state, expires_at)
     VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (workspace_id, conversation_key, person_id)
     DO UPDATE SET state = EXCLUDED.state, expires_at = EXCLUDED.expires_at, updated_at = now()`,
    [key.workspaceId, key.conversation, key.personId, JSON.stringify(state), expiresAt.toISOString()],
  );
}

/** Expired threads of this workspace; called now and then by writers, so the table stays small. */
export async function deleteExpiredConversationMemory(
  tx: Queryable,
  workspaceId: string,
  now: Date,
): Promise<void> {
  await tx.query("DELETE FROM conversation_memory WHERE workspace_id = $1 AND expires_at <= $2", [
    workspaceId,
    now.toISOString(),
  ]);
}
