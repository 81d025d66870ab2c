/**
 * Nudge results as chat replies: the list of nudges (each with its own buttons while it can still be
 * answered) and the nudge preferences in effect. answer_nudge and snooze_nudge reply with their message.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { Nudge } from "../../engine/actions/nudges.ts";
import { NudgePreferences } from "../../engine/nudges/kinds.ts";
import { nudgeButtons } from "../../engine/nudges/message.ts";
import type { Message } from "./message.ts";

export const KIND_LABEL: Record<Nudge["kind"], string> = {
  morning_plan: "Morning plan",
  block_starting: "Block starting",
  block_missed: "Block missed",
  deadline_at_risk: "Deadline at risk",
  overload: "Overload",
  wrap_up: "Wrap-up",
  weekly_review: "Weekly review",
  streak: "Streak",
};

const ListOutput = z.object({ nudges: z.array(Nudge), nextCursor: z.string().nullable() });
const PreferencesOutput = z.object({ preferences: NudgePreferences, message: z.string() });

function when(iso: string, timezone: string): string {
  return DateTime.fromISO(iso, { zone: timezone }).setLocale("en-GB").toFormat("ccc d LLL HH:mm");
}

/** The reply for a nudge action, or undefined for other actions (and for nudge answers: they say their message). */
export function nudgeReply(action: string, output: unknown, timezone: string): Message | undefined {
  if (action === "list_nudges") {
    const list = ListOutput.safeParse(output);
    if (!list.success) return undefined;
    const { nudges } = list.data;
    if (nudges.length === 0)
      return { text: "No nudges yet.", parts: [{ type: "text", text: "No nudges yet." }] };
    return {
      text: `${nudges.length} nudge${nudges.length === 1 ? "" : "s"}`,
      parts: [
        { type: "heading", text: "Your nudges" },
        {
          type: "list",
          items: nudges.map((n) => ({
            text: `${KIND_LABEL[n.kind]}: ${n.text}`,
            detail: `${n.status} · ${when(n.sentAt ?? n.scheduledFor, timezone)}${n.error ? ` · ${n.error}` : ""}`,
            ...(n.status === "sent"
              ? { buttons: nudgeButtons(n.id, { done: "Done", snoozeMinutes: 30, skip: true }) }
              : {}),
          })),
        },
        ...(list.data.nextCursor ? [{ type: "context" as const, text: "There are older nudges." }] : []),
      ],
    };
  }
  if (action === "set_nudge_preferences") {
    const result = PreferencesOutput.safeParse(output);
    if (!result.success) return undefined;
    const { preferences, message } = result.data;
    const kinds = preferences.enabledKinds.map((k) => KIND_LABEL[k]).join(", ") || "none (nudges are off)";
    return {
      text: message,
      parts: [
        { type: "text", text: message },
        {
          type: "fields",
          fields: [
            { label: "Nudges", value: kinds },
            {
              label: "Quiet hours",
              value: preferences.quietHours
                ? `${preferences.quietHours.start}–${preferences.quietHours.end}`
                : "none",
            },
            { label: "At most a day", value: String(preferences.dailyCap) },
            { label: "Channel", value: preferences.channel },
          ],
        },
      ],
    };
  }
  return undefined;
}
