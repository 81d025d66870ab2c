/**
 * The official MCP Inspector (its CLI mode, @modelcontextprotocol/inspector-cli — the package that
 * `npx @modelcontextprotocol/inspector --cli` runs) against `cairn mcp`, started from the README's Claude
 * Desktop configuration; and against /mcp over HTTP with a bearer header. Offline: the inspector is a
 * devDependency.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { allActions } from "../../engine/actions/index.ts";
import type { Task } from "../../engine/domain.ts";
import { claudeDesktopConfig, stdioServer } from "../../mcp-server/docs.ts";
import { startTestCairn, type TestCairn } from "../support/harness.ts";
import { cairnEnv, createToken, root } from "./mcp-process.ts";

const run = promisify(execFile);
const inspectorCli = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/inspector-cli/package.json")),
  "build",
  "cli.js",
);

async function inspector(args: string[], env: Record<string, string> = cairnEnv({})): Promise<unknown> {
  const { stdout } = await run(process.execPath, [inspectorCli, "--cli", ...args], {
    // inspector-cli finds its own package.json through "../package.json" relative to the working directory.
    cwd: dirname(inspectorCli),
    env,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

describe("MCP Inspector CLI against cairn mcp (stdio, from the README config)", () => {
  let dataDir: string;
  let configPath: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cairn-inspector-"));
    const token = await createToken(cairnEnv({ CAIRN_DATA_DIR: dataDir }), "inspected", "ada@example.com");
    configPath = join(dataDir, "claude_desktop_config.json");
    const config = claudeDesktopConfig(stdioServer({ checkout: root.replace(/\/$/, ""), token, dataDir }));
    writeFileSync(configPath, JSON.stringify(config, null, 2));
  });

  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("lists every tool with its schemas", async () => {
    const { tools } = (await inspector([
      "--config",
      configPath,
      "--server",
      "cairn",
      "--method",
      "tools/list",
    ])) as {
      tools: Tool[];
    };
    const expected = allActions.filter((action) => action.scope !== "admin").map((action) => action.name);
    assert.deepEqual(tools.map((tool) => tool.name).sort(), expected.sort());
    for (const tool of tools) assert.ok(tool.inputSchema && tool.outputSchema, tool.name);
  });

  it("calls a tool and gets structured content back", async () => {
    const result = (await inspector([
      "--config",
      configPath,
      "--server",
      "cairn",
      "--method",
      "tools/call",
      "--tool-name",
      "create_task",
      "--tool-arg",
      "title=Inspected by the MCP Inspector",
      "estimateMinutes=25",
    ])) as { structuredContent?: Task; isError?: boolean };
    assert.notEqual(result.isError, true);
    assert.equal(result.structuredContent?.title, "Inspected by the MCP Inspector");
    assert.equal(result.structuredContent?.estimateMinutes, 25);
  });
});

describe("MCP Inspector CLI against /mcp over Streamable HTTP", () => {
  let cairn: TestCairn;
  let token: string;

  before(async () => {
    cairn = await startTestCairn();
    token = (await cairn.token({ workspace: "inspected-http", email: "ada@example.com" })).token;
  });

  after(() => cairn.close());

  it("lists tools and reads today's plan with a bearer header", async () => {
    const target = [`${cairn.url}/mcp`, "--transport", "http", "--header", `Authorization: Bearer ${token}`];
    const { tools } = (await inspector([...target, "--method", "tools/list"])) as { tools: Tool[] };
    assert.ok(tools.some((tool) => tool.name === "search_tasks"));
    const plan = (await inspector([
      ...target,
      "--method",
      "resources/read",
      "--uri",
      "cairn://plan/today",
    ])) as {
      contents: { text: string }[];
    };
    assert.ok(JSON.parse(plan.contents[0]?.text ?? "{}").date);
  });
});
