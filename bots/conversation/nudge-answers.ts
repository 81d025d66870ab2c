/**
 * Typed answers to a nudge ("snooze 30", "done", "skip", "reschedule to tomorrow"): they act on the most recent
 * nudge Cairn sent the person, wherever it was delivered, found through list_nudges. "done" is also how people
 * finish the task they were just talking about, so it answers a nudge only right after one: when the nudge
 * arrived after the conversation's last message (or nothing else in the conversation could be meant).
 */
import { z } from "zod";
import { Nudge } from "../../engine/actions/nudges.ts";
import type { ConversationState } from "./memory.ts";
import { type Message, say } from "./message.ts";
import { KIND_LABEL } from "./nudges.ts";
import type { ConversationPort } from "./port.ts";

/** A nudge sent longer ago than this is not "the nudge you just got". */
export const RECENT_NUDGE_HOURS = 12;

export const NO_RECENT_NUDGE = `There is no nudge to answer right now: nothing Cairn sent you in the last ${RECENT_NUDGE_HOURS} hours is waiting for an answer. Say "my nudges" to see your nudges.`;

const Listed = z.object({ nudges: z.array(Nudge) });

export interface RecentNudge {
  id: string;
  kind: Nudge["kind"];
  sentAt: string;
}

/** The most recently sent nudge that can still be answered (sent, or snoozed after it was sent). */
export async function recentNudge(port: ConversationPort): Promise<RecentNudge | undefined> {
  const since = new Date(port.now().getTime() - RECENT_NUDGE_HOURS * 3_600_000);
  const listed = Listed.safeParse(
    await port.call("list_nudges", { status: ["sent", "scheduled"], since: since.toISOString(), limit: 50 }),
  );
  if (!listed.success) return undefined;
  let latest: RecentNudge | undefined;
  for (const nudge of listed.data.nudges) {
    if (!nudge.sentAt || Date.parse(nudge.sentAt) < since.getTime()) continue;
    if (!latest || nudge.sentAt > latest.sentAt)
      latest = { id: nudge.id, kind: nudge.kind, sentAt: nudge.sentAt };
  }
  return latest;
}

/**
 * Whether a bare "done" answers the recent nudge rather than finishing the task last talked about: the nudge
 * came after the conversation's last message, or no task was talked about.
 */
export function doneAnswersNudge(state: ConversationState, nudge: RecentNudge): boolean {
  if (!state.lastTask || !state.lastTurnAt) return true;
  return Date.parse(nudge.sentAt) >= Date.parse(state.lastTurnAt);
}

const Outcome = z.object({ message: z.string() });

/** The reply to a typed answer: which nudge it acted on, and what happened. */
export function typedAnswerReply(nudge: RecentNudge, output: unknown): Message {
  const outcome = Outcome.safeParse(output);
  const what = outcome.success ? outcome.data.message : "Done.";
  return say(`${KIND_LABEL[nudge.kind]} nudge: ${what}`);
}
