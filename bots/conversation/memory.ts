/**
 * What a conversation remembers between messages: the task it last talked about ("move it to tomorrow"), a
 * which-one question waiting for its answer ("2"), and the nudge it last delivered ("snooze 30"). Surfaces keep it
 * through the engine's conversation store (in the database, with an expiry), so a restart or another web process
 * continues the thread.
 */
import { z } from "zod";

export const TaskMention = z.object({ id: z.string(), title: z.string() });
export type TaskMention = z.infer<typeof TaskMention>;

export const PendingChoice = z.object({
  /** The call that waits for its task: `field` gets the chosen id. */
  action: z.string(),
  input: z.record(z.string(), z.unknown()),
  field: z.string(),
  choices: z.array(TaskMention).min(1),
});
export type PendingChoice = z.infer<typeof PendingChoice>;

export const ConversationState = z.object({
  lastTask: TaskMention.optional(),
  pending: PendingChoice.optional(),
  lastNudgeId: z.string().optional(),
  /** When the person last wrote (ISO): a nudge that arrived since is what a bare "done" answers. */
  lastTurnAt: z.string().optional(),
});
export type ConversationState = z.infer<typeof ConversationState>;

/** Where a conversation's state lives; the engine's store, or a map in tests. */
export interface ConversationMemory {
  load(): Promise<unknown>;
  save(state: ConversationState): Promise<void>;
}

/** A stored state that no longer parses (an older shape) starts the conversation afresh. */
export async function recall(memory: ConversationMemory): Promise<ConversationState> {
  const parsed = ConversationState.safeParse((await memory.load()) ?? {});
  return parsed.success ? parsed.data : {};
}

/** Memory kept in this process only: for tests and `cairn chat --memory-only` style uses. */
export function inMemoryConversation(): ConversationMemory & { state: ConversationState } {
  const box = {
    state: {} as ConversationState,
    async load() {
      return box.state;
    },
    async save(state: ConversationState) {
      box.state = state;
    },
  };
  return box;
}
