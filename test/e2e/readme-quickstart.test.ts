/** The README's quick start, run as written against a real `cairn start` on embedded defaults. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

/** The shell block of the quick start that talks to the running server. */
function quickStartScript(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("## Quick start"),
    readme.indexOf("\n## ", readme.indexOf("## Quick start") + 5),
  );
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const script = blocks.find((b) => b.includes("TOKEN="));
  assert.ok(script, "the quick start has a block that gets a token");
  return script;
}

/** Concatenated JSON values, as several `curl -s` calls print them. */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

describe("README quick start", () => {
  let dataDir: string;
  let server: ChildProcess;
  let url: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cairn-quickstart-"));
    server = spawn(process.execPath, [cli, "start"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CAIRN_DATA_DIR: dataDir,
        PORT: "0",
        CAIRN_LOG_LEVEL: "warn",
      },
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no URL in time:\n${out}`)), 60_000);
      server.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Health:\s+(http:\/\/[\d.:]+)\/healthz[\s\S]*Get an API token:/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      server.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
    });
  });
  after(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("gets a token, sets preferences, adds a task and plans the coming week", () => {
    const script = quickStartScript()
      .replaceAll("http://127.0.0.1:3000", url)
      .replaceAll("npx cairn", `node ${cli}`);
    const result = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CAIRN_DATA_DIR: dataDir },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const values = jsonValues(result.stdout) as Array<Record<string, unknown>>;
    assert.equal(values.length, 5, result.stdout);
    const [preferences, task, search, plan, schedule] = values.map((value) => {
      assert.ok(value && !("error" in value), JSON.stringify(value));
      return value;
    }) as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    assert.equal((preferences.preferences as { timezone?: string }).timezone, "Europe/Berlin");
    const taskId = task.id;
    assert.ok((search.results as Array<{ task: { id: string } }>).some((r) => r.task.id === taskId));
    assert.ok(
      (plan.blocks as Array<{ taskId?: string }>).some((b) => b.taskId === taskId),
      JSON.stringify(plan),
    );
    assert.ok(
      (schedule.blocks as Array<{ taskId?: string }>).some((b) => b.taskId === taskId),
      JSON.stringify(schedule),
    );
  });
});
