/**
 * The conversation's message model drawn as Slack Block Kit, within Slack's documented limits (50 blocks,
 * 3000 characters of section text, 10 fields, 25 buttons, 75 characters of button text, 2000 of value).
 */
import { type Button, encodeCall, type Message, type MessagePart } from "../conversation/message.ts";
import { clockRange, dayLabel, KIND_LABEL, sortedItems } from "../conversation/timeline.ts";

export type SlackBlock = Record<string, unknown>;

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const MAX_BLOCKS = 50;
const MAX_SECTION = 3000;

function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** **bold** → *bold*, [label](url) → <url|label>; _italic_ and `code` are already mrkdwn. */
export function toMrkdwn(text: string): string {
  return escapeSlack(text)
    .replace(/\*\*(.+?)\*\*/g, "*$1*")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, url: string) => `<${url}|${label}>`);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function section(text: string): SlackBlock {
  return { type: "section", text: { type: "mrkdwn", text: clip(toMrkdwn(text), MAX_SECTION) } };
}

export const ACTION_ID_PREFIX = "cairn:";

function button(b: Button, index: number): SlackBlock {
  return {
    type: "button",
    action_id: `${ACTION_ID_PREFIX}${index}`,
    text: { type: "plain_text", text: clip(b.label, 75), emoji: true },
    value: clip(encodeCall(b.call), 2000),
    ...(b.style ? { style: b.style } : {}),
  };
}

function partBlocks(part: MessagePart, counter: { buttons: number }): SlackBlock[] {
  switch (part.type) {
    case "heading":
      return [{ type: "header", text: { type: "plain_text", text: clip(part.text, 150), emoji: true } }];
    case "text":
      return part.text.trim() ? [section(part.text)] : [];
    case "fields":
      return chunks(part.fields, 10).map((fields) => ({
        type: "section",
        fields: fields.map((f) => ({
          type: "mrkdwn",
          text: clip(`*${escapeSlack(f.label)}*\n${toMrkdwn(f.value)}`, 2000),
        })),
      }));
    case "buttons":
      return chunks(part.buttons, 25).map((buttons) => ({
        type: "actions",
        elements: buttons.map((b) => button(b, counter.buttons++)),
      }));
    case "timeline": {
      const items = sortedItems(part.items);
      const lines = items.map((item) => {
        const icon = item.kind === "meeting" ? "📅" : item.kind === "habit" ? "🔁" : "🎯";
        const detail = item.detail ? ` — _${escapeSlack(item.detail)}_` : "";
        return `${icon} \`${clockRange(item, part.timezone)}\` ${KIND_LABEL[item.kind]}: *${escapeSlack(item.title)}*${detail}`;
      });
      return [
        { type: "context", elements: [{ type: "mrkdwn", text: `*${dayLabel(part.date, part.timezone)}*` }] },
        ...(lines.length > 0
          ? chunkText(lines).map((text) => ({ type: "section", text: { type: "mrkdwn", text } }))
          : [section("_Nothing planned._")]),
      ];
    }
    case "list":
      return part.items.flatMap((item) => {
        const text = section(`• ${item.text}${item.detail ? `\n${item.detail}` : ""}`);
        const first = item.buttons?.[0];
        if (item.buttons?.length === 1 && first)
          return [{ ...text, accessory: button(first, counter.buttons++) }];
        if (item.buttons && item.buttons.length > 1)
          return [text, { type: "actions", elements: item.buttons.map((b) => button(b, counter.buttons++)) }];
        return [text];
      });
    case "context":
      return [
        { type: "context", elements: [{ type: "mrkdwn", text: clip(toMrkdwn(part.text), MAX_SECTION) }] },
      ];
    case "divider":
      return [{ type: "divider" }];
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function chunkText(lines: readonly string[]): string[] {
  const out: string[] = [];
  let current = "";
  for (const line of lines) {
    if (current && current.length + line.length + 1 > MAX_SECTION) {
      out.push(current);
      current = "";
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(current);
  return out;
}

export function toBlockKit(message: Message): SlackMessage {
  const counter = { buttons: 0 };
  const blocks = message.parts.flatMap((part) => partBlocks(part, counter));
  if (blocks.length > MAX_BLOCKS) {
    const kept = blocks.slice(0, MAX_BLOCKS - 1);
    kept.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `…and ${blocks.length - kept.length} more` }],
    });
    return { text: clip(message.text, 3000), blocks: kept };
  }
  return { text: clip(message.text, 3000), blocks };
}
