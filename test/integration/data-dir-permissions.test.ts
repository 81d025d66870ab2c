/**
 * The embedded data dir is private: created 0700 with 0600 files (PGlite's own files included), and a
 * looser one left from before is tightened at start with a warning.
 */
import assert from "node:assert/strict";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { openRuntime } from "../../bin/compose.ts";
import { secureDataDir } from "../../engine/db/data-dir-permissions.ts";
import { testConfig } from "../support/harness.ts";

/** Every path under `root` whose group or other bits are set. */
function loosePaths(root: string): string[] {
  const loose: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if ((stat.mode & 0o077) !== 0) loose.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(root);
  return loose;
}

describe("the embedded data dir's permissions", () => {
  const parent = mkdtempSync(join(tmpdir(), "cairn-perms-"));
  after(() => rmSync(parent, { recursive: true, force: true }));

  it("creates a new data dir 0700", () => {
    const dataDir = join(parent, "fresh", ".cairn");
    const secured = secureDataDir(dataDir);
    assert.equal(secured.created, true);
    assert.equal(lstatSync(dataDir).mode & 0o777, 0o700);
  });

  it("tightens an existing 0755/0644 data dir at start, warns, and keeps PGlite's files private", async () => {
    const dataDir = join(parent, "old");
    mkdirSync(join(dataDir, "notes"), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, "notes"), 0o755);
    writeFileSync(join(dataDir, "notes", "readme.txt"), "left by an older version", { mode: 0o644 });
    chmodSync(join(dataDir, "notes", "readme.txt"), 0o644);
    assert.ok(loosePaths(dataDir).length >= 3);

    const lines: string[] = [];
    const log = pino(
      { level: "warn" },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const config = testConfig({ CAIRN_DATA_DIR: dataDir, CAIRN_MASTER_KEY: "" });
    const runtime = await openRuntime(config, log);
    try {
      await runtime.engine.prepare();
    } finally {
      await runtime.close();
    }

    assert.ok(readdirSync(join(dataDir, "pgdata")).length > 0, "PGlite wrote its files");
    assert.deepEqual(loosePaths(dataDir), []);
    assert.equal(lstatSync(dataDir).mode & 0o777, 0o700);
    assert.equal(lstatSync(join(dataDir, "master.key")).mode & 0o777, 0o600);
    const warning = lines.map((line) => JSON.parse(line) as { msg: string; tightened: number });
    assert.equal(warning.length, 1);
    assert.match(warning[0]?.msg ?? "", /readable by other users: tightened it to 0700/);
    assert.equal(warning[0]?.tightened, 3);
  });
});
