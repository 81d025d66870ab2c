/**
 * Building the platform-neutral reply (its model lives in engine/messaging/message.ts, which the Messenger port
 * carries): plain-text helpers and the compact button payloads the platforms pass back on a click.
 */
import { ButtonCall, type Message, type MessagePart } from "../../engine/messaging/message.ts";

export { Button, ButtonCall, Message, MessagePart, TimelineItem } from "../../engine/messaging/message.ts";

/** A message of plain text. */
export function say(text: string, ...parts: MessagePart[]): Message {
  return { text: stripMarks(text), parts: [{ type: "text", text }, ...parts] };
}

/** The text without **bold**, _italic_ and `code` marks, links as "label (url)". */
export function stripMarks(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/(^|\W)_(.+?)_(?=\W|$)/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 ($2)");
}

/** Button payloads travel through the platforms as strings; keep them small and checkable. */
export function encodeCall(call: ButtonCall): string {
  return JSON.stringify({ a: call.action, i: call.input });
}

export function decodeCall(value: string): ButtonCall | undefined {
  try {
    const raw = JSON.parse(value) as unknown;
    if (typeof raw !== "object" || raw === null) return undefined;
    const parsed = ButtonCall.safeParse({
      action: (raw as { a?: unknown }).a,
      input: (raw as { i?: unknown }).i,
    });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
