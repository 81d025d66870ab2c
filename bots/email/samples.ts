/**
 * Messages for `cairn mail test` and `cairn mail preview`: what a nudge and a weekly review look like by email,
 * drawn from the same parts Cairn sends.
 */
import type { Message } from "../../engine/messaging/message.ts";

export function testMessage(server: string): Message {
  return {
    text: "Cairn can send you email",
    parts: [
      { type: "heading", text: "Cairn can send you email" },
      {
        type: "text",
        text: `This test came through **${server}**. Nudges reach people without Slack or Teams by email, and the weekly review goes by email when it is configured.`,
      },
      { type: "context", text: "Sent by `cairn mail test`." },
    ],
  };
}

/** A weekly review for a sample week (Monday 16 to Friday 20 March 2026, Europe/Berlin). */
export function sampleWeeklyReview(): Message {
  const call = (answer: string) => ({ action: "answer_nudge", input: { nudgeId: "sample", answer } });
  return {
    text: "Your week in review: 9 of 11 tasks done, 14 h of focus",
    parts: [
      { type: "heading", text: "Your week in review" },
      {
        type: "text",
        text: "You finished **9 of 11** tasks and kept **14 h** of focus time, most of it before noon. _Draft Q3 report_ is at risk for Tuesday.",
      },
      {
        type: "fields",
        fields: [
          { label: "Score", value: "72 (up 5)" },
          { label: "Streak", value: "4 days" },
          { label: "Focus kept", value: "14 h of 16 h planned" },
          { label: "Best hours", value: "09:00–11:00" },
        ],
      },
      { type: "heading", text: "Monday's plan" },
      {
        type: "timeline",
        date: "2026-03-23",
        timezone: "Europe/Berlin",
        items: [
          {
            start: "2026-03-23T08:00:00Z",
            end: "2026-03-23T10:00:00Z",
            title: "Draft Q3 report",
            kind: "focus",
            detail: "due Tue 17:00, 62% likely on time",
          },
          {
            start: "2026-03-23T10:00:00Z",
            end: "2026-03-23T10:30:00Z",
            title: "Team stand-up",
            kind: "meeting",
          },
          { start: "2026-03-23T12:30:00Z", end: "2026-03-23T13:00:00Z", title: "Inbox zero", kind: "habit" },
        ],
      },
      { type: "heading", text: "At risk" },
      {
        type: "list",
        items: [
          { text: "**Draft Q3 report**", detail: "2 h 50 min left by your pace; due Tuesday 17:00" },
          { text: "Review hiring plan", detail: "not started; due Friday" },
        ],
      },
      { type: "divider" },
      {
        type: "buttons",
        buttons: [
          { label: "Plan next week", call: call("plan"), style: "primary" },
          { label: "Snooze", call: call("snooze") },
        ],
      },
      {
        type: "context",
        text: "Cairn's figures come from your own calendar and tasks; they are not a judgement.",
      },
    ],
  };
}
