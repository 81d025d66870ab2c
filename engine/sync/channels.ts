/** Push channels (Google events.watch) per connection; tokens stored sealed. */
import type { Db } from "../db/port.ts";
import {
  deleteWebhookChannel,
  listWebhookChannels,
  saveWebhookChannel,
} from "../db/repositories/webhook-channels.ts";
import type { SecretBox } from "../security/secret-box.ts";
import type { ChannelStore } from "./connector.ts";

export function channelStore(
  db: Db,
  secrets: SecretBox,
  workspaceId: string,
  connectionId: string,
): ChannelStore {
  return {
    async list() {
      const stored = await db.scoped(workspaceId, (tx) => listWebhookChannels(tx, connectionId));
      return stored.map((channel) => ({
        id: channel.channelId,
        token: secrets.open(channel.tokenSealed),
        scopeId: channel.scope,
        resourceId: channel.resourceId,
        expiresAt: channel.expiresAt,
      }));
    },
    async save(channel) {
      await db.scoped(workspaceId, (tx) =>
        saveWebhookChannel(tx, workspaceId, connectionId, {
          channelId: channel.id,
          scope: channel.scopeId,
          resourceId: channel.resourceId,
          tokenSealed: secrets.seal(channel.token),
          expiresAt: channel.expiresAt,
        }),
      );
    },
    async remove(channelId) {
      await db.scoped(workspaceId, (tx) => deleteWebhookChannel(tx, connectionId, channelId));
    },
  };
}
