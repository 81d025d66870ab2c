import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FakeNotion, startFakeNotion } from "../fakes/notion.ts";

const cli = new URL("../../bin/cairn.js", import.meta.url).pathname;

function run(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(DATABASE_URL|REDIS_URL|NOTION_|JIRA_|GOOGLE_|CALDAV_|ICS_|CAIRN_)/.test(key),
    ),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...clean, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("cairn sync (CLI)", () => {
  let fake: FakeNotion;
  let dir: string;

  before(async () => {
    fake = await startFakeNotion({ token: "ntn_cli" });
    const { dataSources } = fake.state.addDatabase({ title: "CLI tasks" });
    fake.state.generatePages(dataSources[0]?.id as string, 120, { seed: 5 });
    dir = mkdtempSync(join(tmpdir(), "cairn-sync-cli-"));
  });
  after(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("syncs the env connection, shows progress on stderr and prints counts as JSON", async () => {
    const env = {
      CAIRN_DATA_DIR: join(dir, "data"),
      CAIRN_LOG_LEVEL: "silent",
      CAIRN_ALLOW_PRIVATE_URLS: "1",
      NOTION_TOKEN: "ntn_cli",
      NOTION_API_URL: fake.url,
    };
    const first = await run(["sync", "--json"], env, dir);
    assert.equal(first.code, 0, first.stderr);
    const output = JSON.parse(first.stdout) as {
      results: { kind: string; ok: boolean }[];
      totals: Record<string, number>;
    };
    assert.equal(output.results[0]?.kind, "notion");
    assert.equal(output.totals.created, 120);
    assert.equal(output.totals.apiCalls, 3);
    assert.ok(typeof output.totals.durationMs === "number");
    assert.match(first.stderr, /page 1: 100 items/);
    assert.match(first.stderr, /page 2: 20 items/);

    const second = await run(["sync"], env, dir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /created 0, updated 0, deleted 0, unchanged \d+, skipped 0 · 1 API calls/);
  });
});
