/**
 * The README's MCP section is generated from the registry (mcp-server/docs.ts); this fails when it is
 * stale, when a running server exposes a tool the README does not list, or when a config block is not
 * valid JSON. Fix with: node --import tsx bin/docs.ts --write
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { everyAction } from "../../bin/connectors.ts";
import { BEGIN, END, readmePath, renderMcpSection, withSection } from "../../mcp-server/docs.ts";
import { startTestCairn, type TestCairn } from "../support/harness.ts";

const FIX = "README.md's MCP section is stale: run node --import tsx bin/docs.ts --write";

describe("README MCP section", () => {
  let cairn: TestCairn;
  const readme = readFileSync(readmePath, "utf8");
  const region = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));

  before(async () => {
    cairn = await startTestCairn();
  });
  after(() => cairn.close());

  it("matches what the generator writes from the registry", () => {
    assert.ok(region.length > 0, `README.md needs a ${BEGIN} … ${END} region`);
    assert.equal(withSection(readme, renderMcpSection(everyAction)), readme, FIX);
  });

  it("documents every tool the running server exposes", () => {
    for (const action of cairn.engine.registry.list()) {
      assert.ok(
        region.includes(`| \`${action.name}\` |`),
        `${action.name} is not in the README's tool table. ${FIX}`,
      );
    }
  });

  it("has valid JSON in every configuration block", () => {
    const blocks = [...region.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    assert.ok(blocks.length >= 5);
    for (const block of blocks) assert.doesNotThrow(() => JSON.parse(block), block);
  });
});
