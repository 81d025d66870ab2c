/**
 * Links between a person and their accounts at identity providers (OAuth/JWT, Slack, Teams). Every
 * function names the workspace, so it answers the same in a scoped transaction (where row-level security
 * also applies) and in a system one.
 */
import { z } from "zod";
import type { Queryable } from "../port.ts";

export const IdentityProvider = z.enum(["oauth", "slack", "teams"]);
export type IdentityProvider = z.infer<typeof IdentityProvider>;

/** Who someone is at a provider: unique per workspace. */
export const ExternalAccount = z.object({
  provider: IdentityProvider,
  /** The OAuth issuer, the Slack team id or the Teams tenant id ("" when the provider has none). */
  tenant: z.string(),
  /** The user's id at the provider: JWT subject, Slack user id, Teams user (AAD object) id. */
  externalId: z.string().min(1),
});
export type ExternalAccount = z.infer<typeof ExternalAccount>;

export const ChatIdentity = ExternalAccount.extend({
  id: z.uuid(),
  workspaceId: z.uuid(),
  personId: z.uuid(),
  createdAt: z.string(),
});
export type ChatIdentity = z.infer<typeof ChatIdentity>;

interface ChatIdentityRow {
  id: string;
  workspace_id: string;
  person_id: string;
  provider: IdentityProvider;
  tenant: string;
  external_id: string;
  created_at: Date | string;
}

const COLUMNS = "id, workspace_id, person_id, provider, tenant, external_id, created_at";

const identityFromRow = (row: ChatIdentityRow): ChatIdentity => ({
  id: row.id,
  workspaceId: row.workspace_id,
  personId: row.person_id,
  provider: row.provider,
  tenant: row.tenant,
  externalId: row.external_id,
  createdAt: new Date(row.created_at).toISOString(),
});

/** Links the account to the person; an account already linked to someone else moves to this person. */
export async function linkChatIdentity(
  tx: Queryable,
  workspaceId: string,
  account: ExternalAccount,
  personId: string,
): Promise<ChatIdentity> {
  const result = await tx.query<ChatIdentityRow>(
    `INSERT INTO chat_identities (workspace_id, person_id, provider, tenant, external_id)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, provider, tenant, external_id) DO UPDATE SET person_id = EXCLUDED.person_id
     RETURNING ${COLUMNS}`,
    [workspaceId, personId, account.provider, account.tenant, account.externalId],
  );
  return identityFromRow(result.rows[0] as ChatIdentityRow);
}

export async function findChatIdentity(
  tx: Queryable,
  workspaceId: string,
  account: ExternalAccount,
): Promise<ChatIdentity | undefined> {
  const result = await tx.query<ChatIdentityRow>(
    `SELECT ${COLUMNS} FROM chat_identities
     WHERE workspace_id = $1 AND provider = $2 AND tenant = $3 AND external_id = $4`,
    [workspaceId, account.provider, account.tenant, account.externalId],
  );
  const row = result.rows[0];
  return row ? identityFromRow(row) : undefined;
}

/** The workspace's links, or one person's, oldest first. */
export async function listChatIdentities(
  tx: Queryable,
  workspaceId: string,
  filter: { personId?: string } = {},
): Promise<ChatIdentity[]> {
  const result = await tx.query<ChatIdentityRow>(
    `SELECT ${COLUMNS} FROM chat_identities
     WHERE workspace_id = $1 AND ($2::uuid IS NULL OR person_id = $2::uuid)
     ORDER BY created_at, id`,
    [workspaceId, filter.personId ?? null],
  );
  return result.rows.map(identityFromRow);
}

/** Removes the link; true when there was one. */
export async function unlinkChatIdentity(
  tx: Queryable,
  workspaceId: string,
  account: ExternalAccount,
): Promise<boolean> {
  const result = await tx.query(
    "DELETE FROM chat_identities WHERE workspace_id = $1 AND provider = $2 AND tenant = $3 AND external_id = $4",
    [workspaceId, account.provider, account.tenant, account.externalId],
  );
  return result.rowCount > 0;
}
