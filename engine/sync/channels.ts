/** Push channels (Google events.watch) per connection; tokens stored sealed. */
import type { Db, Queryable } from "../db/port.ts";
import type { SecretBox } from "../security/secret-box.ts";
import type { ChannelStore, PushChannel } from "./connector.ts";

interface ChannelRow {
  channel_id: string;
  scope: string;
  resource_id: string | null;
  token_encrypted: string;
  expires_at: Date | string;
}

const toChannel = (row: ChannelRow, secrets: SecretBox): PushChannel => ({
  id: row.channel_id,
  token: secrets.open(row.token_encrypted),
  scopeId: row.scope,
  resourceId: row.resource_id,
  expiresAt: new Date(row.expires_at).toISOString(),
});

export function channelStore(
  db: Db,
  secrets: SecretBox,
  workspaceId: string,
  connectionId: string,
): ChannelStore {
  return {
    async list() {
      const rows = await db.scoped(workspaceId, (tx) =>
        tx.query<ChannelRow>(
          "SELECT channel_id, scope, resource_id, token_encrypted, expires_at FROM webhook_channels WHERE connection_id = $1 ORDER BY expires_at",
          [connectionId],
        ),
      );
      return rows.rows.map((row) => toChannel(row, secrets));
    },
    async save(channel) {
      await db.scoped(workspaceId, (tx) =>
        tx.query(
          `INSERT INTO webhook_channels (workspace_id, connection_id, channel_id, scope, resource_id, token_encrypted, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (channel_id) DO UPDATE SET scope = EXCLUDED.scope, resource_id = EXCLUDED.resource_id,
             token_encrypted = EXCLUDED.token_encrypted, expires_at = EXCLUDED.expires_at`,
          [
            workspaceId,
            connectionId,
            channel.id,
            channel.scopeId,
            channel.resourceId,
            secrets.seal(channel.token),
            channel.expiresAt,
          ],
        ),
      );
    },
    async remove(channelId) {
      await db.scoped(workspaceId, (tx) =>
        tx.query("DELETE FROM webhook_channels WHERE connection_id = $1 AND channel_id = $2", [
          connectionId,
          channelId,
        ]),
      );
    },
  };
}

/** System lookup of a channel by the id the provider echoes (the notification carries no workspace). */
export async function findChannel(
  tx: Queryable,
  channelId: string,
): Promise<{ workspaceId: string; connectionId: string; scope: string; tokenSealed: string } | undefined> {
  const result = await tx.query<{
    workspace_id: string;
    connection_id: string;
    scope: string;
    token_encrypted: string;
  }>(
    "SELECT workspace_id, connection_id, scope, token_encrypted FROM webhook_channels WHERE channel_id = $1",
    [channelId],
  );
  const row = result.rows[0];
  return row
    ? {
        workspaceId: row.workspace_id,
        connectionId: row.connection_id,
        scope: row.scope,
        tokenSealed: row.token_encrypted,
      }
    : undefined;
}
