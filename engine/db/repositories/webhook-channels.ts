/** webhook_channels: push channels a connection registered with its provider; tokens are stored sealed. */
import type { Queryable } from "../port.ts";

export interface StoredChannel {
  channelId: string;
  scope: string;
  resourceId: string | null;
  tokenSealed: string;
  expiresAt: string;
}

interface ChannelRow {
  channel_id: string;
  scope: string;
  resource_id: string | null;
  token_encrypted: string;
  expires_at: Date | string;
}

/** The connection's channels, soonest to expire first. */
export async function listWebhookChannels(tx: Queryable, connectionId: string): Promise<StoredChannel[]> {
  const result = await tx.query<ChannelRow>(
    "SELECT channel_id, scope, resource_id, token_encrypted, expires_at FROM webhook_channels WHERE connection_id = $1 ORDER BY expires_at",
    [connectionId],
  );
  return result.rows.map((row) => ({
    channelId: row.channel_id,
    scope: row.scope,
    resourceId: row.resource_id,
    tokenSealed: row.token_encrypted,
    expiresAt: new Date(row.expires_at).toISOString(),
  }));
}

/** Creates the channel, or replaces what is stored under its id. */
export async function saveWebhookChannel(
  tx: Queryable,
  workspaceId: string,
  connectionId: string,
  channel: StoredChannel,
): Promise<void> {
  await tx.query(
    `INSERT INTO webhook_channels (workspace_id, connection_id, channel_id, scope, resource_id, token_encrypted, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (channel_id) DO UPDATE SET scope = EXCLUDED.scope, resource_id = EXCLUDED.resource_id,
       token_encrypted = EXCLUDED.token_encrypted, expires_at = EXCLUDED.expires_at`,
    [
      workspaceId,
      connectionId,
      channel.channelId,
      channel.scope,
      channel.resourceId,
      channel.tokenSealed,
      channel.expiresAt,
    ],
  );
}

export async function deleteWebhookChannel(
  tx: Queryable,
  connectionId: string,
  channelId: string,
): Promise<void> {
  await tx.query("DELETE FROM webhook_channels WHERE connection_id = $1 AND channel_id = $2", [
    connectionId,
    channelId,
  ]);
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
