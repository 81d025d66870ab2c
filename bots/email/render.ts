/**
 * The platform-neutral message drawn as an email: a subject, a plain-text part and an accessible HTML part
 * (real headings, data tables with captions and header cells, lists). Buttons run actions in chat; email has
 * no authenticated way to run one, so they become a line naming the choices and where to answer.
 */
import type { Button, Message, MessagePart } from "../conversation/message.ts";
import { stripMarks } from "../conversation/message.ts";
import { clockRange, dayLabel, KIND_LABEL, sortedItems } from "../conversation/timeline.ts";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailRenderOptions {
  /** Where the person opens Cairn (CAIRN_PUBLIC_URL when set); without it the line names no link. */
  openUrl?: string;
}

const SUBJECT_MAX = 120;
export const ANSWER_ELSEWHERE = "Reply in Slack/Teams or open Cairn";

const MUTED = "color:#57606a;font-size:13px;";
const CELL = "padding:6px 12px 6px 0;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top;";

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const linkable = (url: string) => /^(https?:|mailto:)/i.test(url);

/** **bold**, _italic_, `code` and [label](url) as HTML; only http(s) and mailto links become links. */
export function inlineHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, url: string) =>
      linkable(url) ? `<a href="${url}">${label}</a>` : `${label} (${url})`,
    )
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|\W)_(.+?)_(?=\W|$)/g, "$1<em>$2</em>")
    .replace(/`([^`]+)`/g, "<code>$1</code>");
}

export function subjectOf(message: Message): string {
  const heading = message.parts.find((part) => part.type === "heading");
  const line = stripMarks(heading?.text ?? message.text)
    .replace(/\s+/g, " ")
    .trim();
  const subject = line || "A message from Cairn";
  return subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject;
}

const labels = (buttons: readonly Button[]) => buttons.map((button) => button.label).join(" · ");

function answerText(options: EmailRenderOptions): string {
  return options.openUrl ? `${ANSWER_ELSEWHERE}: ${options.openUrl}` : `${ANSWER_ELSEWHERE}.`;
}

function answerHtml(options: EmailRenderOptions): string {
  const open = options.openUrl
    ? `Reply in Slack/Teams or <a href="${escapeHtml(options.openUrl)}">open Cairn</a>.`
    : `${ANSWER_ELSEWHERE}.`;
  return open;
}

function partText(part: MessagePart, options: EmailRenderOptions): string[] {
  switch (part.type) {
    case "heading": {
      const text = stripMarks(part.text);
      return [text, "=".repeat(Math.min(text.length, 60)), ""];
    }
    case "text":
      return [stripMarks(part.text), ""];
    case "fields":
      return [...part.fields.map((field) => `${field.label}: ${stripMarks(field.value)}`), ""];
    case "buttons":
      return [`Choices: ${labels(part.buttons)}. ${answerText(options)}`, ""];
    case "timeline": {
      const items = sortedItems(part.items);
      const rows = items.map(
        (item) =>
          `  ${clockRange(item, part.timezone)}  ${KIND_LABEL[item.kind]}: ${item.title}${item.detail ? ` (${item.detail})` : ""}`,
      );
      return [dayLabel(part.date, part.timezone), ...(rows.length ? rows : ["  Nothing planned."]), ""];
    }
    case "list": {
      const withButtons = part.items.some((item) => item.buttons?.length);
      return [
        ...part.items.flatMap((item) => [
          `  - ${stripMarks(item.text)}${item.buttons?.length ? ` [${labels(item.buttons)}]` : ""}`,
          ...(item.detail ? [`    ${stripMarks(item.detail)}`] : []),
        ]),
        ...(withButtons ? [answerText(options)] : []),
        "",
      ];
    }
    case "context":
      return [stripMarks(part.text), ""];
    case "divider":
      return ["----", ""];
  }
}

function paragraphs(text: string, style = ""): string {
  return text
    .split(/\n{2,}/)
    .map((block) => `<p${style ? ` style="${style}"` : ""}>${inlineHtml(block).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

function partHtml(part: MessagePart, options: EmailRenderOptions, first: boolean): string {
  switch (part.type) {
    case "heading":
      return first
        ? `<h1 style="font-size:22px;margin:0 0 12px;">${inlineHtml(part.text)}</h1>`
        : `<h2 style="font-size:18px;margin:20px 0 8px;">${inlineHtml(part.text)}</h2>`;
    case "text":
      return paragraphs(part.text);
    case "fields":
      return [
        `<table style="border-collapse:collapse;margin:8px 0;">`,
        "<tbody>",
        ...part.fields.map(
          (field) =>
            `<tr><th scope="row" style="${CELL}">${inlineHtml(field.label)}</th><td style="${CELL}">${inlineHtml(field.value)}</td></tr>`,
        ),
        "</tbody>",
        "</table>",
      ].join("\n");
    case "buttons":
      return `<p>Choices: <strong>${escapeHtml(labels(part.buttons))}</strong>. ${answerHtml(options)}</p>`;
    case "timeline": {
      const caption = escapeHtml(dayLabel(part.date, part.timezone));
      const items = sortedItems(part.items);
      if (items.length === 0) return `<p><strong>${caption}</strong>: nothing planned.</p>`;
      return [
        `<table style="border-collapse:collapse;margin:8px 0;">`,
        `<caption style="text-align:left;font-weight:bold;padding-bottom:6px;">${caption}</caption>`,
        `<thead><tr><th scope="col" style="${CELL}">Time</th><th scope="col" style="${CELL}">What</th><th scope="col" style="${CELL}">Kind</th></tr></thead>`,
        "<tbody>",
        ...items.map(
          (item) =>
            `<tr><td style="${CELL}white-space:nowrap;">${escapeHtml(clockRange(item, part.timezone))}</td><td style="${CELL}">${escapeHtml(item.title)}${item.detail ? `<br><span style="${MUTED}">${escapeHtml(item.detail)}</span>` : ""}</td><td style="${CELL}">${KIND_LABEL[item.kind]}</td></tr>`,
        ),
        "</tbody>",
        "</table>",
      ].join("\n");
    }
    case "list": {
      const withButtons = part.items.some((item) => item.buttons?.length);
      return [
        "<ul>",
        ...part.items.map(
          (item) =>
            `<li>${inlineHtml(item.text)}${item.buttons?.length ? ` <span style="${MUTED}">(${escapeHtml(labels(item.buttons))})</span>` : ""}${item.detail ? `<br><span style="${MUTED}">${inlineHtml(item.detail)}</span>` : ""}</li>`,
        ),
        "</ul>",
        ...(withButtons ? [`<p>${answerHtml(options)}</p>`] : []),
      ].join("\n");
    }
    case "context":
      return paragraphs(part.text, MUTED);
    case "divider":
      return `<hr style="border:none;border-top:1px solid #d0d7de;margin:16px 0;">`;
  }
}

export function renderEmail(message: Message, options: EmailRenderOptions = {}): RenderedEmail {
  const subject = subjectOf(message);
  const parts = message.parts.length > 0 ? message.parts : [{ type: "text" as const, text: message.text }];
  const firstHeading = parts.findIndex((part) => part.type === "heading");
  const text = `${parts
    .flatMap((part) => partText(part, options))
    .join("\n")
    .trimEnd()}\n\n-- \nSent by Cairn.\n`;
  const body = parts.map((part, index) => partHtml(part, options, index === firstHeading)).join("\n");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:24px;background:#ffffff;color:#1f2328;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;">
<main style="max-width:640px;margin:0 auto;">
${body}
<footer><p style="${MUTED}margin-top:24px;">Sent by Cairn.</p></footer>
</main>
</body>
</html>
`;
  return { subject, text, html };
}
