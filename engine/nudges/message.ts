/**
 * A nudge as the platform-neutral Message: a heading, a sentence, and the buttons that answer it. Every button
 * runs `answer_nudge` or `snooze_nudge` with the nudge's id, so a click in Slack, Teams or the terminal goes
 * through the same action registry as a typed "snooze 30".
 */
import type { Button, Message } from "../messaging/message.ts";
import type { NudgeAnswer } from "./kinds.ts";

export interface NudgeButtons {
  done?: string;
  snoozeMinutes?: number;
  reschedule?: boolean;
  skip?: boolean;
}

export function nudgeButtons(nudgeId: string, buttons: NudgeButtons): Button[] {
  const answer = (label: string, value: NudgeAnswer, style?: "primary"): Button => ({
    label,
    call: { action: "answer_nudge", input: { nudgeId, answer: value } },
    ...(style ? { style } : {}),
  });
  const list: Button[] = [];
  if (buttons.done) list.push(answer(buttons.done, "done", "primary"));
  if (buttons.snoozeMinutes) {
    list.push({
      label: `Snooze ${buttons.snoozeMinutes} min`,
      call: { action: "snooze_nudge", input: { nudgeId, minutes: buttons.snoozeMinutes } },
    });
  }
  if (buttons.reschedule) list.push(answer("Reschedule", "reschedule"));
  if (buttons.skip) list.push(answer("Skip", "skip"));
  return list;
}

export function nudgeMessage(
  nudgeId: string,
  heading: string,
  text: string,
  buttons: NudgeButtons,
  context?: string,
): Message {
  const parts: Message["parts"] = [
    { type: "heading", text: heading },
    { type: "text", text },
  ];
  const row = nudgeButtons(nudgeId, buttons);
  if (row.length > 0) parts.push({ type: "buttons", buttons: row });
  if (context) parts.push({ type: "context", text: context });
  return { text: `${heading}: ${text.replace(/\*\*|_|`/g, "")}`, parts };
}

/** The nudge a message delivers (from its answer buttons), so a chat face can remember it for "snooze 30". */
export function nudgeIdOf(message: Message): string | undefined {
  for (const part of message.parts) {
    if (part.type !== "buttons") continue;
    for (const button of part.buttons) {
      const id = button.call.input.nudgeId;
      if (
        (button.call.action === "answer_nudge" || button.call.action === "snooze_nudge") &&
        typeof id === "string"
      )
        return id;
    }
  }
  return undefined;
}
