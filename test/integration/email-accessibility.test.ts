/**
 * The HTML part of Cairn's emails, checked by axe-core in headless Chromium (Debian's, driven by
 * playwright-core): the weekly review and a nudge with buttons have no WCAG 2.1 A/AA violations, and the
 * timeline table is read with its caption and column headers.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import axe from "axe-core";
import { type Browser, chromium } from "playwright-core";
import { renderEmail } from "../../bots/email/render.ts";
import { sampleWeeklyReview } from "../../bots/email/samples.ts";
import type { Message } from "../../engine/messaging/message.ts";

const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const required = process.env.CAIRN_REQUIRE_SERVICES === "1";
const skip = !existsSync(executablePath) && !required ? `no Chromium at ${executablePath}` : false;

const nudge: Message = {
  text: "Block missed",
  parts: [
    { type: "heading", text: "You missed a focus block" },
    {
      type: "text",
      text: "**Draft Q3 report** was planned 09:00–11:00. [Your plan](https://cairn.example.com)",
    },
    { type: "fields", fields: [{ label: "Due", value: "Tue 17:00" }] },
    {
      type: "buttons",
      buttons: [
        {
          label: "Reschedule",
          call: { action: "answer_nudge", input: { nudgeId: "n", answer: "reschedule" } },
        },
      ],
    },
    { type: "context", text: "Nudges: 2 of 4 today." },
  ],
};

interface AxeViolation {
  id: string;
  help: string;
  nodes: { html: string }[];
}

describe("email HTML accessibility", { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
  });

  for (const [name, message] of [
    ["the weekly review", sampleWeeklyReview()],
    ["a nudge with buttons", nudge],
  ] as const) {
    it(`${name} has no WCAG 2.1 A/AA violations`, async () => {
      const page = await browser.newPage();
      try {
        await page.setContent(renderEmail(message, { openUrl: "https://cairn.example.com" }).html);
        await page.addScriptTag({ content: axe.source });
        const violations = await page.evaluate(async () => {
          const run = (
            globalThis as unknown as { axe: { run(options: object): Promise<{ violations: unknown[] }> } }
          ).axe.run;
          const result = await run({
            runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
          });
          return result.violations as AxeViolation[];
        });
        assert.deepEqual(
          violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html).join(", ")})`),
          [],
        );
        if (name === "the weekly review") {
          const table = page.getByRole("table", { name: "Monday 23 March" });
          assert.equal(await table.getByRole("columnheader").count(), 3);
          assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Your week in review");
          assert.equal(await page.getByRole("rowheader", { name: "Score" }).count(), 1);
        }
      } finally {
        await page.close();
      }
    });
  }
});
