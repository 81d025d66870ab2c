/**
 * `cairn connect notion --webhook` as an admin runs it beside a running server: it opens the set-up window,
 * prints the URL for Notion, and prints Notion's verification token when it arrives.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { postRaw } from "../fakes/common.ts";
import { type FakeNotion, notionVerificationBody, startFakeNotion } from "../fakes/notion.ts";
import { waitForOutput } from "../support/child-output.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

describe("cairn connect notion --webhook", () => {
  let fake: FakeNotion;
  let dir: string;
  let server: ChildProcess;
  let env: NodeJS.ProcessEnv;
  let serverUrl: string;

  before(async () => {
    fake = await startFakeNotion({ token: "ntn_cli_webhook" });
    fake.state.addDatabase({ title: "CLI webhook" });
    dir = mkdtempSync(join(tmpdir(), "cairn-webhook-cli-"));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CAIRN_DATA_DIR: join(dir, "data"),
      PORT: "0",
      CAIRN_LOG_LEVEL: "warn",
      CAIRN_ALLOW_PRIVATE_URLS: "1",
      NOTION_TOKEN: "ntn_cli_webhook",
      NOTION_API_URL: fake.url,
    };
    server = spawn(process.execPath, [cli, "start"], { cwd: root, env });
    serverUrl = (await waitForOutput(server, /Health:\s+(http:\/\/[\d.:]+)\/healthz/, 180_000))[1] as string;
  });
  after(async () => {
    if (server?.exitCode === null) {
      server.kill("SIGTERM");
      await exited(server);
    }
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens the window on the env connection, then prints the token Notion sends", async () => {
    const command = spawn(process.execPath, [cli, "connect", "notion", "--webhook"], { cwd: root, env });
    try {
      const [, url] = (await waitForOutput(
        command,
        /(http:\/\/\S+\/webhooks\/notion\/[0-9a-f-]{36})/,
      )) as string[];
      // PORT=0 here, so the printed public URL names port 0: deliver to the port the server took.
      const path = new URL(url as string).pathname;
      const answer = await postRaw(`${serverUrl}${path}`, notionVerificationBody("secret_from_notion_cli"), {
        "content-type": "application/json",
      });
      assert.equal(answer.status, 200, answer.text);
      const [, token] = (await waitForOutput(command, /Verify dialog\):\s+(\S+)/)) as string[];
      assert.equal(token, "secret_from_notion_cli");
      assert.equal(await exited(command), 0);
    } finally {
      if (command.exitCode === null) command.kill("SIGKILL");
    }
  });
});
