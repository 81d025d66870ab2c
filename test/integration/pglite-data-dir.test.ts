/**
 * The embedded database on disk: a new data dir is created in a short-lived process and opened with the
 * smaller memory settings, durability settings unchanged, and writes acknowledged before a kill -9 are there
 * after reopening.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createPgliteDb } from "../../engine/db/pglite.ts";

const pgliteModule = new URL("../../engine/db/pglite.ts", import.meta.url).pathname;

describe("PGlite on a data dir", () => {
  const root = mkdtempSync(join(tmpdir(), "cairn-pglite-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("creates a new data dir, then opens it with 16 MB shared buffers and full durability", async () => {
    const dataDir = join(root, "settings");
    const db = await createPgliteDb({ dataDir });
    try {
      assert.ok(existsSync(join(dataDir, "PG_VERSION")), "the data dir was initialised");
      const settings = await db.system(async (tx) => {
        const { rows } = await tx.query<{ name: string; value: string }>(
          "SELECT name, current_setting(name) AS value FROM unnest($1::text[]) AS name ORDER BY name",
          [["shared_buffers", "synchronous_commit", "full_page_writes", "work_mem"]],
        );
        return Object.fromEntries(rows.map((row) => [row.name, row.value]));
      });
      assert.deepEqual(settings, {
        full_page_writes: "on",
        shared_buffers: "16MB",
        synchronous_commit: "on",
        work_mem: "4MB",
      });
    } finally {
      await db.close();
    }
  });

  it("keeps every write acknowledged before a kill -9", async () => {
    const dataDir = join(root, "killed");
    const writer = [
      `const { createPgliteDb } = await import(${JSON.stringify(pgliteModule)});`,
      `const db = await createPgliteDb({ dataDir: ${JSON.stringify(dataDir)} });`,
      "await db.system((tx) => tx.exec('CREATE TABLE acked (n int PRIMARY KEY)'));",
      "for (let n = 1; ; n++) {",
      "  await db.system((tx) => tx.query('INSERT INTO acked VALUES ($1)', [n]));",
      '  process.stdout.write(n + "\\n");',
      "}",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", writer], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let acknowledged = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const lines = chunk.toString().trim().split("\n");
        acknowledged = Number(lines.at(-1));
        if (acknowledged >= 50) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.once("exit", (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));

    const db = await createPgliteDb({ dataDir });
    try {
      const { rows } = await db.system((tx) =>
        tx.query<{ count: number; max: number }>("SELECT count(*)::int AS count, max(n) AS max FROM acked"),
      );
      assert.ok(
        (rows[0]?.count ?? 0) >= acknowledged,
        `${rows[0]?.count} rows, ${acknowledged} acknowledged`,
      );
      assert.equal(rows[0]?.count, rows[0]?.max, "no gaps");
    } finally {
      await db.close();
    }
  });
});
