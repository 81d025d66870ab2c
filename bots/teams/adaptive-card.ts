/**
 * The conversation's message model drawn as an Adaptive Card (schema 1.5), the format Teams renders. Buttons
 * are Action.Submit carrying the action call in `data.cairn`, so a click comes back as a message activity.
 */
import type { Button, Message, MessagePart } from "../conversation/message.ts";
import { clockRange, dayLabel, KIND_LABEL, sortedItems } from "../conversation/timeline.ts";

export type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  body: CardElement[];
  actions?: CardElement[];
}

export const ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

/** Adaptive Cards' markdown has bold, italic and links but no inline code. */
function toCardMarkdown(text: string): string {
  return text.replace(/`([^`]+)`/g, "$1");
}

function submit(b: Button): CardElement {
  return {
    type: "Action.Submit",
    title: b.label,
    data: { cairn: b.call },
    ...(b.style === "primary" ? { style: "positive" } : b.style === "danger" ? { style: "destructive" } : {}),
  };
}

function partElements(part: MessagePart): CardElement[] {
  switch (part.type) {
    case "heading":
      return [{ type: "TextBlock", text: part.text, size: "Large", weight: "Bolder", wrap: true }];
    case "text":
      return part.text.trim() ? [{ type: "TextBlock", text: toCardMarkdown(part.text), wrap: true }] : [];
    case "fields":
      return [
        {
          type: "FactSet",
          facts: part.fields.map((f) => ({ title: f.label, value: toCardMarkdown(f.value) })),
        },
      ];
    case "buttons":
      return [{ type: "ActionSet", actions: part.buttons.map(submit) }];
    case "timeline": {
      const items = sortedItems(part.items);
      const header: CardElement = {
        type: "TextBlock",
        text: dayLabel(part.date, part.timezone),
        weight: "Bolder",
        wrap: true,
      };
      if (items.length === 0) return [header, { type: "TextBlock", text: "_Nothing planned._", wrap: true }];
      return [
        header,
        ...items.map((item) => ({
          type: "ColumnSet",
          spacing: "Small",
          columns: [
            {
              type: "Column",
              width: "auto",
              items: [
                {
                  type: "TextBlock",
                  text: clockRange(item, part.timezone),
                  fontType: "Monospace",
                  wrap: false,
                },
              ],
            },
            {
              type: "Column",
              width: "stretch",
              items: [
                {
                  type: "TextBlock",
                  text: `**${KIND_LABEL[item.kind]}**: ${item.title}`,
                  color: item.kind === "meeting" ? "Default" : "Accent",
                  wrap: true,
                },
                ...(item.detail
                  ? [{ type: "TextBlock", text: item.detail, isSubtle: true, size: "Small", wrap: true }]
                  : []),
              ],
            },
          ],
        })),
      ];
    }
    case "list":
      return part.items.flatMap((item) => [
        {
          type: "TextBlock",
          text: `- ${toCardMarkdown(item.text)}${item.detail ? `\n\n  ${toCardMarkdown(item.detail)}` : ""}`,
          wrap: true,
        },
        ...(item.buttons && item.buttons.length > 0
          ? [{ type: "ActionSet", actions: item.buttons.map(submit) }]
          : []),
      ]);
    case "context":
      return [
        { type: "TextBlock", text: toCardMarkdown(part.text), isSubtle: true, size: "Small", wrap: true },
      ];
    case "divider":
      return [{ type: "TextBlock", text: " ", separator: true, spacing: "Medium" }];
  }
}

export function toAdaptiveCard(message: Message): AdaptiveCard {
  return {
    type: "AdaptiveCard",
    $schema: ADAPTIVE_CARD_SCHEMA,
    version: "1.5",
    body: message.parts.flatMap(partElements),
  };
}
