/** `npm test`'s closing line counts what was skipped, including whole groups skipped without services. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const root = new URL("../..", import.meta.url).pathname;
// Run as `npm test` is run, not as a child of this test runner (which would report to it instead).
const { NODE_TEST_CONTEXT: _child, ...outerEnv } = process.env;
const dir = mkdtempSync(join(tmpdir(), "cairn-run-summary-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("test/run.ts closing line", () => {
  it("counts passed, failed, skipped tests and skipped groups on a line of its own", () => {
    const file = join(dir, "sample.test.ts");
    writeFileSync(
      file,
      `import { describe, it } from "node:test";
describe("with services", { skip: "DATABASE_URL and REDIS_URL not set" }, () => {
  it("would run on Postgres", () => {});
  it("would run on Redis", () => {});
});
describe("always", () => {
  it("passes", () => {});
  it("passes too", () => {});
  it("is skipped alone", { skip: "not here" }, () => {});
});
`,
    );
    const result = spawnSync(process.execPath, ["--import", "tsx", "test/run.ts", file], {
      cwd: root,
      encoding: "utf8",
      env: { ...outerEnv, CAIRN_SKIP_STATIC: "1" },
      timeout: 120_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines.at(-1), "2 passed, 0 failed, 2 skipped (1 group, 1 test)");
    assert.match(result.stdout, /▶ sample|with services/, "node's own report is still printed");
  });

  it("exits non-zero and counts the failure", () => {
    const file = join(dir, "failing.test.ts");
    writeFileSync(file, `import { it } from "node:test";\nit("fails", () => { throw new Error("no"); });\n`);
    const result = spawnSync(process.execPath, ["--import", "tsx", "test/run.ts", file], {
      cwd: root,
      encoding: "utf8",
      env: { ...outerEnv, CAIRN_SKIP_STATIC: "1" },
      timeout: 120_000,
    });
    assert.notEqual(result.status, 0);
    assert.equal(result.stdout.trimEnd().split("\n").at(-1), "0 passed, 1 failed, 0 skipped");
  });
});
