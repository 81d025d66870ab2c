import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStandalone } from "../../../bots/conversation/parse.ts";
import { PARSER_CASES } from "./parser-cases.ts";

const NOW = new Date("2026-03-18T08:00:00Z");

describe("conversation parser: the phrasing table", () => {
  it("has at least 150 phrasings", () => {
    ok(PARSER_CASES.length >= 150, `only ${PARSER_CASES.length} cases`);
  });

  for (const [index, c] of PARSER_CASES.entries()) {
    it(`#${index} ${JSON.stringify(c.text)}${c.timezone ? ` (${c.timezone})` : ""} → ${c.action ?? "a question"}`, () => {
      const result = parseStandalone(c.text, { timezone: c.timezone ?? "Europe/Berlin", now: NOW });
      strictEqual(result.action, c.action, JSON.stringify(result));
      if (result.action === null) {
        ok(result.clarify.length > 0, "a question, never silence");
        if (c.clarify) match(result.clarify, c.clarify);
        return;
      }
      for (const [field, expected] of Object.entries(c.input ?? {})) {
        deepStrictEqual(result.input[field], expected, `${field} in ${JSON.stringify(result.input)}`);
      }
    });
  }
});
