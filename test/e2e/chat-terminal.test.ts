/**
 * `cairn chat`: the conversation in a terminal, driven through stdin as a person would type it, on a fresh
 * embedded data dir: a task added in words, "what should I do now?", a numbered button, exit.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { waitForOutput } from "../support/child-output.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

describe("cairn chat in a terminal", () => {
  const home = mkdtempSync(join(tmpdir(), "cairn-chat-term-"));
  after(() => rmSync(home, { recursive: true, force: true }));

  it("adds a task, says what to do next, runs a numbered button and exits on 'exit'", async () => {
    const child = spawn(process.execPath, [cli, "chat"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CAIRN_DATA_DIR: join(home, "data"),
        CAIRN_LOG_LEVEL: "silent",
        NO_COLOR: "1",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitForOutput(child, /Say "help" for examples[\s\S]*you> $/);
      const say = async (line: string, expect: RegExp) => {
        const reply = waitForOutput(child, new RegExp(`${expect.source}[\\s\\S]*you> $`));
        child.stdin.write(`${line}\n`);
        return (await reply)[0];
      };
      const added = await say("add write the Q3 report by friday 2h", /Added write the Q3 report/);
      assert.match(added, /Estimate\s+2h/);
      const next = await say("what should I do now?", /write the Q3 report/);
      const done = /\[(\d+)\] Done/.exec(next)?.[1];
      assert.ok(done, `a numbered Done button in:\n${next}`);
      await say(done, /Marked write the Q3 report as done/);
      // The chat runs on the wall clock: in the hours after the first planned block starts, the sweep has sent
      // the morning-plan nudge, and "snooze 30" answers it; at other times there is none to answer.
      await say("snooze 30", /There is no nudge to answer right now|nudge: Snoozed until/);
      child.stdin.write("exit\n");
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill();
    }
  });

  it("asks for --parse when given a message on the command line", async () => {
    const child = spawn(process.execPath, [cli, "chat", "plan my day"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CAIRN_DATA_DIR: join(home, "data2") },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 2);
    assert.match(stderr, /add --parse: cairn chat --parse "plan my day"/);
  });
});
