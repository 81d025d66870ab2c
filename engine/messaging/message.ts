/**
 * The platform-neutral message: what Cairn says, as parts that Slack (Block Kit), Teams (Adaptive Cards) and the
 * terminal each draw natively. A button carries the action call it stands for, so a click runs through the
 * same registry as a typed message. The engine owns it so that its Messenger port can carry it; bots/ build
 * and render it.
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
