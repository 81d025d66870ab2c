/**
 * The platform-neutral reply: what Cairn says, as parts that Slack (Block Kit), Teams (Adaptive Cards) and the
 * terminal each draw natively. A button carries the action call it stands for, so a click runs through the
 * same registry as a typed message.
 */
import { z } from "zod";

export const ButtonCall = z.object({
  action: z.string().min(1).max(64),
  input: z.record(z.string(), z.unknown()),
});
export type ButtonCall = z.infer<typeof ButtonCall>;

export const Button = z.object({
  label: z.string().min(1).max(75),
  call: ButtonCall,
  style: z.enum(["primary", "danger"]).optional(),
});
export type Button = z.infer<typeof Button>;

export const TimelineItem = z.object({
  start: z.string(),
  end: z.string(),
  title: z.string(),
  kind: z.enum(["focus", "meeting", "habit", "task"]),
  detail: z.string().optional(),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

export const MessagePart = z.discriminatedUnion("type", [
  z.object({ type: z.literal("heading"), text: z.string() }),
  /** Text with **bold**, _italic_, `code` and [label](url); each surface converts it. */
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({
    type: z.literal("fields"),
    fields: z.array(z.object({ label: z.string(), value: z.string() })),
  }),
  z.object({ type: z.literal("buttons"), buttons: z.array(Button) }),
  z.object({
    type: z.literal("timeline"),
    /** Local date shown, and the zone the times are drawn in. */
    date: z.string(),
    timezone: z.string(),
    items: z.array(TimelineItem),
  }),
  z.object({
    type: z.literal("list"),
    items: z.array(
      z.object({ text: z.string(), detail: z.string().optional(), buttons: z.array(Button).optional() }),
    ),
  }),
  z.object({ type: z.literal("context"), text: z.string() }),
  z.object({ type: z.literal("divider") }),
]);
export type MessagePart = z.infer<typeof MessagePart>;

export const Message = z.object({
  /** One line for notifications and clients that cannot draw the parts. */
  text: z.string(),
  parts: z.array(MessagePart),
});
export type Message = z.infer<typeof Message>;

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
