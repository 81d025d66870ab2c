/**
 * Slack user tokens for the focus status, one per person who opted in: sealed by the caller with the engine's
 * secret box, and the focus block whose status is set now. Workspace-scoped transactions (row-level security).
 */
import type { Queryable } from "../port.ts";

export interface SlackUserToken {
  workspaceId: string;
  personId: string;
  teamId: string;
  slackUserId: string;
  sealed: string;
  /** The block whose "Focus time until …" status is set, while it runs. */
  focusBlockId: string | null;
  focusUntil: string | null;
}

interface Row {
  workspace_id: string;
  person_id: string;
  team_id: string;
  slack_user_id: string;
  sealed: string;
  focus_block_id: string | null;
  focus_until: Date | string | null;
}

const COLUMNS = "workspace_id, person_id, team_id, slack_user_id, sealed, focus_block_id, focus_until";

const fromRow = (row: Row): SlackUserToken => ({
  workspaceId: row.workspace_id,
  personId: row.person_id,
  teamId: row.team_id,
  slackUserId: row.slack_user_id,
  sealed: row.sealed,
  focusBlockId: row.focus_block_id,
  focusUntil: row.focus_until === null ? null : new Date(row.focus_until).toISOString(),
});

/** Stores (or replaces) a person's token; a new token starts with no focus status set. */
export async function saveSlackUserToken(
  tx: Queryable,
  token: { workspaceId: string; personId: string; teamId: string; slackUserId: string; sealed: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO slack_user_tokens (workspace_id, person_id, team_id, slack_user_id, sealed)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, person_id) DO UPDATE SET team_id = EXCLUDED.team_id,
       slack_user_id = EXCLUDED.slack_user_id, sealed = EXCLUDED.sealed, updated_at = now()`,
    [token.workspaceId, token.personId, token.teamId, token.slackUserId, token.sealed],
  );
}

export async function readSlackUserToken(
  tx: Queryable,
  workspaceId: string,
  personId: string,
): Promise<SlackUserToken | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM slack_user_tokens WHERE workspace_id = $1 AND person_id = $2`,
    [workspaceId, personId],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** The person's token, locked until the transaction ends (a token refresh runs once at a time). */
export async function readSlackUserTokenForUpdate(
  tx: Queryable,
  workspaceId: string,
  personId: string,
): Promise<SlackUserToken | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM slack_user_tokens WHERE workspace_id = $1 AND person_id = $2 FOR UPDATE`,
    [workspaceId, personId],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** A renewed token, sealed: the focus status set with the old one stays recorded. */
export async function replaceSlackUserTokenSeal(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  sealed: string,
): Promise<void> {
  await tx.query(
    "UPDATE slack_user_tokens SET sealed = $3, updated_at = now() WHERE workspace_id = $1 AND person_id = $2",
    [workspaceId, personId, sealed],
  );
}

/** The opt-out: true when the person had a token. */
export async function deleteSlackUserToken(
  tx: Queryable,
  workspaceId: string,
  personId: string,
): Promise<boolean> {
  const result = await tx.query("DELETE FROM slack_user_tokens WHERE workspace_id = $1 AND person_id = $2", [
    workspaceId,
    personId,
  ]);
  return result.rowCount > 0;
}

/** Records the block whose status is set (or none). */
export async function setSlackFocus(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  focus: { blockId: string; until: string } | null,
): Promise<void> {
  await tx.query(
    `UPDATE slack_user_tokens SET focus_block_id = $3, focus_until = $4, updated_at = now()
     WHERE workspace_id = $1 AND person_id = $2`,
    [workspaceId, personId, focus?.blockId ?? null, focus?.until ?? null],
  );
}
