/**
 * The conversation's message model drawn as terminal text, with the day timeline as bars on an hour scale.
 * Buttons become numbered choices the person can type.
 */
import { DateTime } from "luxon";
import { type Button, type Message, type MessagePart, stripMarks } from "../conversation/message.ts";
import { clockRange, dayLabel, KIND_LABEL, sortedItems } from "../conversation/timeline.ts";

export interface TerminalStyle {
  color: boolean;
  width: number;
}

const ansi = (code: string, style: TerminalStyle) => (text: string) =>
  style.color ? `\u001b[${code}m${text}\u001b[0m` : text;

function styled(text: string, style: TerminalStyle): string {
  const bold = ansi("1", style);
  const dim = ansi("2", style);
  return text
    .replace(/\*\*(.+?)\*\*/g, (_, t: string) => bold(t))
    .replace(/`([^`]+)`/g, (_, t: string) => dim(t))
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1 ($2)")
    .replace(/(^|\W)_(.+?)_(?=\W|$)/g, "$1$2");
}

/** Bars for one day: each column is a slice of the hours the items span. */
function timelineLines(part: Extract<MessagePart, { type: "timeline" }>, style: TerminalStyle): string[] {
  const items = sortedItems(part.items);
  const lines = [ansi("1", style)(dayLabel(part.date, part.timezone))];
  if (items.length === 0) return [...lines, "  Nothing planned."];
  const starts = items.map((i) => DateTime.fromISO(i.start, { zone: part.timezone }));
  const ends = items.map((i) => DateTime.fromISO(i.end, { zone: part.timezone }));
  const first = Math.min(...starts.map((s) => s.hour));
  const last = Math.max(...ends.map((e) => (e.minute > 0 ? e.hour + 1 : e.hour)), first + 1);
  const span = Math.max(1, last - first);
  const barWidth = Math.max(12, Math.min(48, style.width - 44));
  const column = (at: DateTime) =>
    Math.round((((at.hour - first) * 60 + at.minute) / (span * 60)) * barWidth);
  items.forEach((item, index) => {
    const from = column(starts[index] as DateTime);
    const to = Math.max(from + 1, column(ends[index] as DateTime));
    const glyph = item.kind === "meeting" ? "░" : item.kind === "habit" ? "▒" : "█";
    const bar = `${" ".repeat(from)}${glyph.repeat(to - from)}`.padEnd(barWidth);
    const paint = item.kind === "meeting" ? ansi("2", style) : ansi("36", style);
    lines.push(`  ${clockRange(item, part.timezone)} ${paint(bar)} ${KIND_LABEL[item.kind]}: ${item.title}`);
    if (item.detail) lines.push(`  ${" ".repeat(11 + barWidth + 1)} ${ansi("2", style)(item.detail)}`);
  });
  const scale =
    `${String(first).padStart(2, "0")}:00`.padEnd(barWidth - 4) + `${String(last).padStart(2, "0")}:00`;
  lines.push(`  ${" ".repeat(11)} ${ansi("2", style)(scale)}`);
  return lines;
}

export interface RenderedText {
  text: string;
  /** Numbered choices, in order: typing "1" picks the first. */
  choices: Button[];
}

export function toTerminalText(message: Message, style: TerminalStyle): RenderedText {
  const choices: Button[] = [];
  const choice = (b: Button) => {
    choices.push(b);
    return `[${choices.length}] ${b.label}`;
  };
  const lines = message.parts.flatMap((part) => partLines(part, style, choice));
  return { text: lines.join("\n"), choices };
}

function partLines(part: MessagePart, style: TerminalStyle, choice: (b: Button) => string): string[] {
  switch (part.type) {
    case "heading":
      return [ansi("1", style)(stripMarks(part.text))];
    case "text":
      return part.text.trim() ? [styled(part.text, style)] : [];
    case "fields": {
      const width = Math.max(...part.fields.map((f) => f.label.length));
      return part.fields.map((f) => `  ${f.label.padEnd(width)}  ${styled(f.value, style)}`);
    }
    case "buttons":
      return [`  ${part.buttons.map(choice).join("   ")}`];
    case "timeline":
      return timelineLines(part, style);
    case "list":
      return part.items.flatMap((item) => [
        `  • ${styled(item.text, style)}${item.buttons?.length ? `   ${item.buttons.map(choice).join("  ")}` : ""}`,
        ...(item.detail ? [`    ${ansi("2", style)(stripMarks(item.detail))}`] : []),
      ]);
    case "context":
      return [ansi("2", style)(stripMarks(part.text))];
    case "divider":
      return ["─".repeat(Math.min(style.width, 60))];
  }
}
