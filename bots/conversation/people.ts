/**
 * Who wrote: a chat platform's user, mapped to a Cairn person. Surfaces ask the directory once per message
 * (it caches nothing itself; the engine's identity store does the linking).
 */
import type { Actor } from "../../engine/actions/define.ts";

export interface ChatUser {
  provider: "slack" | "teams";
  /** Slack team id, Teams tenant id. */
  tenant: string;
  /** Slack user id, Teams AAD object id (or the channel account id when that is all there is). */
  userId: string;
  email?: string;
  name?: string;
  /** IANA zone from the platform profile, used when a person is created. */
  timezone?: string;
}

export type ChatPerson = { actor: Actor } | { refused: string };

export interface ChatPeople {
  /** The person this user is in `workspace`, linking by email or creating a member when allowed. */
  resolve(user: ChatUser, workspace: string): Promise<ChatPerson>;
  /** The person this platform account is already linked to, if any: no profile lookup needed. */
  linked(
    user: Pick<ChatUser, "provider" | "tenant" | "userId">,
    workspace: string,
  ): Promise<Actor | undefined>;
}
