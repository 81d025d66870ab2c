/**
 * The conversation memory chat surfaces keep between messages, stored per workspace, person and conversation with
 * an expiry. The engine does not know the state's shape: the conversation core (bots/conversation) validates it.
 */
import type { Actor } from "../actions/define.ts";
import {
  deleteExpiredConversationMemory,
  readConversationMemory,
  writeConversationMemory,
} from "../db/repositories/conversation-memory.ts";
import type { EngineServices } from "../services.ts";

/** How long a thread is remembered after its last message. */
export const CONVERSATION_TTL_MINUTES = 120;

export interface ConversationStore {
  load(): Promise<unknown>;
  save(state: unknown): Promise<void>;
}

export function conversationStore(
  services: Pick<EngineServices, "db" | "now">,
  actor: Actor,
  conversation: string,
  ttlMinutes = CONVERSATION_TTL_MINUTES,
): ConversationStore {
  const key = { workspaceId: actor.workspace.id, personId: actor.person.id, conversation };
  return {
    load: () => services.db.scoped(key.workspaceId, (tx) => readConversationMemory(tx, key, services.now())),
    save: (state) =>
      services.db.scoped(key.workspaceId, async (tx) => {
        const now = services.now();
        await writeConversationMemory(tx, key, state, new Date(now.getTime() + ttlMinutes * 60_000));
        // Index-backed and usually empty: expired threads go as new ones are written.
        await deleteExpiredConversationMemory(tx, key.workspaceId, now);
      }),
  };
}
