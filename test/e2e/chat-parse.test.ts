/** `cairn chat --parse`: the parse contract as a process, with no database and no configuration. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

function chat(args: string[]) {
  const dataDir = join(mkdtempSync(join(tmpdir(), "cairn-chat-")), "data");
  try {
    const result = spawnSync(process.execPath, [cli, "chat", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CAIRN_DATA_DIR: dataDir, PORT: "not-a-port" },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(existsSync(dataDir), false, "no data dir is created");
    return result;
  } finally {
    rmSync(join(dataDir, ".."), { recursive: true, force: true });
  }
}

describe("cairn chat --parse", () => {
  it("prints the action call with ISO dates in the given zone and durations in minutes", () => {
    const result = chat([
      "--parse",
      "--tz",
      "Europe/Berlin",
      "--now",
      "2026-03-20T08:00:00Z",
      "add write the Q3 report by friday 2h",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      action: "create_task",
      input: { title: "write the Q3 report", estimateMinutes: 120, due: "2026-03-20T17:00:00+01:00" },
    });
  });

  it("names a task by its words, and asks when it cannot tell", () => {
    const done = chat([
      "--parse",
      "--tz",
      "UTC",
      "--now",
      "2026-03-20T08:00:00Z",
      "mark the hiring plan as done",
    ]);
    assert.deepEqual(JSON.parse(done.stdout), {
      action: "complete_task",
      input: { id: { taskQuery: "hiring plan" } },
    });
    const unclear = JSON.parse(chat(["--parse", "--tz", "UTC", "move it to tomorrow"]).stdout) as {
      action: null;
      clarify: string;
    };
    assert.equal(unclear.action, null);
    assert.match(unclear.clarify, /which task/i);
  });

  it("refuses a bad zone or time with exit 2 and a message naming the flag", () => {
    const zone = chat(["--parse", "--tz", "Mars/Olympus", "plan my day"]);
    assert.equal(zone.status, 2);
    assert.match(zone.stderr, /--tz "Mars\/Olympus"/);
    const now = chat(["--parse", "--now", "yesterday", "plan my day"]);
    assert.equal(now.status, 2);
    assert.match(now.stderr, /--now "yesterday"/);
  });
});
