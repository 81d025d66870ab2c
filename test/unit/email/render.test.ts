/** A message drawn as an email: subject, plain text and accessible HTML; buttons never become action links. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inlineHtml, renderEmail, subjectOf } from "../../../bots/email/render.ts";
import { sampleWeeklyReview } from "../../../bots/email/samples.ts";
import type { Message } from "../../../engine/messaging/message.ts";

describe("email rendering", () => {
  it("takes the subject from the first heading, else the message's line, on one line and at most 120 characters", () => {
    assert.equal(
      subjectOf({ text: "x", parts: [{ type: "heading", text: "**Plan** for today" }] }),
      "Plan for today",
    );
    assert.equal(subjectOf({ text: "Block\nstarts  soon", parts: [] }), "Block starts soon");
    assert.equal(subjectOf({ text: " ", parts: [] }), "A message from Cairn");
    const long = subjectOf({ text: "a".repeat(300), parts: [] });
    assert.equal(long.length, 120);
    assert.ok(long.endsWith("…"));
  });

  it("escapes HTML in every part and links only http(s) and mailto", () => {
    const html = inlineHtml(
      '<script>alert("x")</script> **bold** [site](https://example.com/?a=1&b=2) [bad](javascript:alert(1))',
    );
    assert.equal(
      html,
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <strong>bold</strong> <a href="https://example.com/?a=1&amp;b=2">site</a> bad (javascript:alert(1))',
    );
    const { html: page, subject } = renderEmail({
      text: "t",
      parts: [
        { type: "heading", text: "<img src=x onerror=alert(1)>" },
        { type: "fields", fields: [{ label: "<b>", value: "<i>" }] },
        {
          type: "timeline",
          date: "2026-03-23",
          timezone: "UTC",
          items: [{ start: "2026-03-23T09:00:00Z", end: "2026-03-23T10:00:00Z", title: "<x>", kind: "task" }],
        },
      ],
    });
    assert.equal(subject, "<img src=x onerror=alert(1)>");
    assert.doesNotMatch(page, /<img|<b>|<i>|<x>/);
    assert.match(page, /<title>&lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
  });

  it("draws the weekly review with headings, a fields table, the timeline as a table in the person's zone, and lists", () => {
    const { subject, text, html } = renderEmail(sampleWeeklyReview());
    assert.equal(subject, "Your week in review");
    assert.match(html, /<h1[^>]*>Your week in review<\/h1>/);
    assert.match(html, /<h2[^>]*>Monday&#39;s plan<\/h2>/);
    assert.match(html, /<th scope="row"[^>]*>Score<\/th><td[^>]*>72 \(up 5\)<\/td>/);
    assert.match(html, /<caption[^>]*>Monday 23 March<\/caption>/);
    assert.match(
      html,
      /<th scope="col"[^>]*>Time<\/th><th scope="col"[^>]*>What<\/th><th scope="col"[^>]*>Kind<\/th>/,
    );
    // 08:00Z is 09:00 in Berlin (CET, before the clocks change on 29 March).
    assert.match(
      html,
      /09:00–11:00<\/td><td[^>]*>Draft Q3 report<br><span[^>]*>due Tue 17:00, 62% likely on time<\/span>/,
    );
    assert.match(html, /<ul>\n<li><strong>Draft Q3 report<\/strong><br>/);
    assert.match(html, /<hr /);
    assert.match(text, /^Your week in review\n=+\n/);
    assert.match(
      text,
      /Monday 23 March\n {2}09:00–11:00 {2}Focus: Draft Q3 report \(due Tue 17:00, 62% likely on time\)\n {2}11:00–11:30 {2}Meeting: Team stand-up/,
    );
    assert.match(text, /Score: 72 \(up 5\)/);
    assert.match(text, / {2}- Review hiring plan\n {4}not started; due Friday/);
  });

  it("turns buttons into a line naming the choices and where to answer, linking Cairn only when its URL is known", () => {
    const message: Message = {
      text: "Block missed",
      parts: [
        {
          type: "buttons",
          buttons: [{ label: "Reschedule", call: { action: "answer_nudge", input: { id: "n" } } }],
        },
        {
          type: "list",
          items: [
            { text: "Q3 report", buttons: [{ label: "Done", call: { action: "complete_task", input: {} } }] },
          ],
        },
      ],
    };
    const plain = renderEmail(message);
    assert.match(plain.text, /Choices: Reschedule\. Reply in Slack\/Teams or open Cairn\./);
    assert.match(plain.text, / {2}- Q3 report \[Done\]\nReply in Slack\/Teams or open Cairn\./);
    assert.doesNotMatch(plain.html, /<a |answer_nudge|complete_task/);
    const linked = renderEmail(message, { openUrl: "https://cairn.example.com" });
    assert.match(
      linked.html,
      /Reply in Slack\/Teams or <a href="https:\/\/cairn\.example\.com">open Cairn<\/a>\./,
    );
    assert.match(linked.text, /Reply in Slack\/Teams or open Cairn: https:\/\/cairn\.example\.com/);
  });

  it("draws a message without parts from its line, and an empty timeline as nothing planned", () => {
    const bare = renderEmail({ text: "Time to wrap up", parts: [] });
    assert.match(bare.text, /^Time to wrap up\n/);
    assert.match(bare.html, /<p>Time to wrap up<\/p>/);
    const empty = renderEmail({
      text: "Plan",
      parts: [{ type: "timeline", date: "2026-03-23", timezone: "UTC", items: [] }],
    });
    assert.match(empty.html, /Monday 23 March<\/strong>: nothing planned\./);
    assert.match(empty.text, /Monday 23 March\n {2}Nothing planned\./);
  });
});
