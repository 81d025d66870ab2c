/**
 * `cairn call` refuses an unknown input field like HTTP and MCP do: exit 1, the field and the fix on stderr,
 * as the README shows.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

describe("cairn call with an unknown field", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-strict-cli-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CAIRN_DATA_DIR: dataDir,
        CAIRN_LOG_LEVEL: "warn",
      },
      encoding: "utf8",
      timeout: 120_000,
    });

  // Nothing is written either: the HTTP cases in strict-input.test.ts check that on the same engine path.
  it("exits 1 naming the field and the likely fix", () => {
    // The README's example, run as written.
    const input = '{"title":"Plan the offsite","estimateMinute":90}';
    const readme = readFileSync(join(root, "README.md"), "utf8");
    assert.ok(readme.includes(`npx cairn call create_task '${input}'`));
    const refused = run(["call", "create_task", input]);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(
      refused.stderr,
      /^cairn: Invalid input for create_task: Unknown field "estimateMinute" — did you mean "estimateMinutes"\?$/m,
    );
  });
});
