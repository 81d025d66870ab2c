import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeCall, encodeCall, type Message } from "../../../bots/conversation/message.ts";
import { toBlockKit, toMrkdwn } from "../../../bots/slack/block-kit.ts";
import { toAdaptiveCard } from "../../../bots/teams/adaptive-card.ts";
import { toTerminalText } from "../../../bots/terminal/render.ts";

const done = { action: "complete_task", input: { id: "8d0b1f52-54c8-4a43-9df3-0d4f0e2c1a11" } };
const day: Message = {
  text: "Your plan for today",
  parts: [
    { type: "heading", text: "Today" },
    {
      type: "text",
      text: "**2 focus blocks** around _1 meeting_, see [the plan](https://cairn.example/plan) & <more>",
    },
    {
      type: "fields",
      fields: [
        { label: "Focus", value: "2h 30m" },
        { label: "Meetings", value: "1" },
      ],
    },
    {
      type: "timeline",
      date: "2026-03-18",
      timezone: "Europe/Berlin",
      items: [
        { start: "2026-03-18T10:00:00Z", end: "2026-03-18T10:30:00Z", title: "Standup", kind: "meeting" },
        {
          start: "2026-03-18T08:00:00Z",
          end: "2026-03-18T09:30:00Z",
          title: "Q3 report",
          kind: "focus",
          detail: "your peak hours",
        },
      ],
    },
    {
      type: "buttons",
      buttons: [
        { label: "Done", call: done, style: "primary" },
        { label: "Snooze", call: { action: "snooze_nudge", input: { minutes: 30 } } },
      ],
    },
  ],
};

describe("message model renderers", () => {
  it("button calls survive the round trip through a platform string", () => {
    deepStrictEqual(decodeCall(encodeCall(done)), done);
    strictEqual(decodeCall("not json"), undefined);
    strictEqual(decodeCall(JSON.stringify({ a: "", i: {} })), undefined);
  });

  it("draws Block Kit: header, mrkdwn, fields, a timeline in the person's zone and buttons carrying the call", () => {
    const { text, blocks } = toBlockKit(day);
    strictEqual(text, "Your plan for today");
    deepStrictEqual(blocks[0], { type: "header", text: { type: "plain_text", text: "Today", emoji: true } });
    strictEqual(
      (blocks[1] as { text: { text: string } }).text.text,
      "*2 focus blocks* around _1 meeting_, see <https://cairn.example/plan|the plan> &amp; &lt;more&gt;",
    );
    const json = JSON.stringify(blocks);
    // 08:00Z is 09:00 in Berlin; the focus block sorts before the meeting.
    ok(json.indexOf("09:00–10:30") > 0 && json.indexOf("09:00–10:30") < json.indexOf("11:00–11:30"), json);
    const actions = blocks.find((b) => b.type === "actions") as {
      elements: Array<{ value: string; action_id: string; style?: string }>;
    };
    deepStrictEqual(decodeCall(actions.elements[0]?.value ?? ""), done);
    strictEqual(actions.elements[0]?.style, "primary");
    strictEqual(new Set(actions.elements.map((e) => e.action_id)).size, 2);
  });

  it("keeps Block Kit within Slack's limits on a long list", () => {
    const long: Message = {
      text: "x".repeat(5000),
      parts: [
        {
          type: "list",
          items: Array.from({ length: 80 }, (_, i) => ({
            text: `task ${i}`,
            buttons: [{ label: "Done", call: done }],
          })),
        },
      ],
    };
    const { text, blocks } = toBlockKit(long);
    ok(blocks.length <= 50);
    ok(text.length <= 3000);
    match(JSON.stringify(blocks.at(-1)), /more/);
  });

  it("draws an Adaptive Card 1.5 whose buttons submit the call", () => {
    const card = toAdaptiveCard(day);
    strictEqual(card.version, "1.5");
    strictEqual(card.type, "AdaptiveCard");
    const set = card.body.find((e) => e.type === "ActionSet") as {
      actions: Array<{ type: string; data: unknown; style?: string }>;
    };
    strictEqual(set.actions[0]?.type, "Action.Submit");
    deepStrictEqual(set.actions[0]?.data, { cairn: done });
    strictEqual(set.actions[0]?.style, "positive");
    ok(JSON.stringify(card.body).includes("09:00–10:30"));
    ok(card.body.some((e) => e.type === "FactSet"));
  });

  it("draws terminal text with timeline bars and numbered choices", () => {
    const { text, choices } = toTerminalText(day, { color: false, width: 100 });
    match(text, /Wednesday 18 March/);
    match(text, /09:00–10:30 +█+ +Focus: Q3 report/);
    match(text, /11:00–11:30 +░+ +Meeting: Standup/);
    match(text, /\[1\] Done {3}\[2\] Snooze/);
    strictEqual(choices.length, 2);
    ok(!text.includes("\u001b["), "no colour codes when colour is off");
    ok(toTerminalText(day, { color: true, width: 100 }).text.includes("\u001b[1m"));
  });

  it("converts only Slack's special characters", () => {
    strictEqual(toMrkdwn("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
  });
});
