/**
 * MCP benchmark: tool-call latency over Streamable HTTP with concurrent sessions on a whole Cairn server
 * (every face installed), read tools over a workspace of 10k tasks, and server memory per open session.
 *
 *   node --expose-gc --import tsx test/bench/mcp/run.ts [--sessions 50] [--tasks 10000] [--rates 0.2,0.5]
 *        [--seconds 20] [--saturated-calls 20] [--memory-sessions 500] [--backends pglite,postgres]
 *        [--workers false]
 *
 * The clients run in a child process (load.ts): one SDK client, token and GET SSE stream per session;
 * read tools are list_tasks, search_tasks and get_task. Also measured here: the same reads through
 * engine.call (no MCP, no HTTP), to show what MCP adds. Progress lines go to stderr; one JSON document
 * goes to stdout.
 */

import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import type { Actor } from "../../../engine/actions/define.ts";
import type { Db } from "../../../engine/db/port.ts";
import { HashingEmbedder, toVectorLiteral } from "../../../engine/search/embedder.ts";
import { type Backend, startTestCairn, type TestCairn } from "../../support/harness.ts";
import { percentile, progress, seededRandom } from "../support/stats.ts";
import type { LoadJob } from "./load.ts";
import { verbs, words } from "./vocabulary.ts";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "50" },
    tasks: { type: "string", default: "10000" },
    rates: { type: "string", default: "0.2,0.5" },
    seconds: { type: "string", default: "20" },
    "saturated-calls": { type: "string", default: "20" },
    "memory-sessions": { type: "string", default: "500" },
    backends: { type: "string", default: process.env.DATABASE_URL ? "pglite,postgres" : "pglite" },
    /** "false" leaves job workers (replans after writes, sync) stopped, to separate their load from MCP's. */
    workers: { type: "string", default: "true" },
  },
});
const sessionCount = Number(values.sessions);
const taskCount = Number(values.tasks);
const rates = values.rates.split(",").map(Number);
const seconds = Number(values.seconds);
const saturatedCalls = Number(values["saturated-calls"]);
const memorySessions = Number(values["memory-sessions"]);

async function seed(db: Db, workspaceId: string, personId: string, n: number): Promise<void> {
  const random = seededRandom(7);
  const embedder = new HashingEmbedder();
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  for (let offset = 0; offset < n; offset += 500) {
    const count = Math.min(500, n - offset);
    const titles: string[] = [];
    const ids: string[] = [];
    const vectors: string[] = [];
    const dues: (string | null)[] = [];
    for (let i = 0; i < count; i++) {
      const title = `${pick(verbs)} ${pick(words)} ${pick(words)} #${offset + i}`;
      titles.push(title);
      ids.push(`mcp-bench-${offset + i}`);
      vectors.push(toVectorLiteral(embedder.embed(title)));
      dues.push(
        random() < 0.6
          ? new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 400) * 86_400_000).toISOString()
          : null,
      );
    }
    await db.scoped(workspaceId, (tx) =>
      tx.query(
        `INSERT INTO tasks (workspace_id, person_id, title, source, external_id, embedding, priority, due)
         SELECT $1, $2, t, 'bench', x, v::vector, 1 + (ord % 4), d::timestamptz
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u(t, x, v, d, ord)`,
        [workspaceId, personId, titles, ids, vectors, dues],
      ),
    );
  }
  await db.system((tx) => tx.query("ANALYZE tasks"));
}

/** p50 of each read through engine.call, one at a time: the floor under the MCP numbers. */
async function engineBaseline(cairn: TestCairn, actor: Actor, taskIds: string[]) {
  const random = seededRandom(5);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const reads: [string, () => Record<string, unknown>][] = [
    ["list_tasks", () => ({ status: "todo", limit: 20 })],
    ["search_tasks", () => ({ query: `${pick(words)} ${pick(words)}`, limit: 10 })],
    ["get_task", () => ({ id: pick(taskIds) })],
  ];
  const out: Record<string, { p50Ms: number; p95Ms: number }> = {};
  for (const [name, args] of reads) {
    const times: number[] = [];
    for (let i = 0; i < 65; i++) {
      const started = performance.now();
      await cairn.engine.call(actor, "mcp", name, args());
      if (i >= 5) times.push(performance.now() - started);
    }
    out[name] = {
      p50Ms: Math.round(percentile(times, 50) * 10) / 10,
      p95Ms: Math.round(percentile(times, 95) * 10) / 10,
    };
  }
  return out;
}

/** Runs the clients in a child process (see load.ts) and returns its summary. */
function runLoad(job: LoadJob): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("./load.ts", import.meta.url).pathname], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stdin.end(JSON.stringify(job));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out) as Record<string, unknown>);
    });
  });
}

const gc = (globalThis as { gc?: () => void }).gc;
async function heapUsed(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
}

/** Opens sessions with raw requests (no client objects kept) and measures the server's heap growth. */
async function memoryPerSession(cairn: TestCairn, tokens: string[]) {
  const headers = (token: string) => ({
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  });
  const open = async (token: string): Promise<string> => {
    const init = await fetch(`${cairn.url}/mcp`, {
      method: "POST",
      headers: headers(token),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "mem", version: "1" },
        },
      }),
    });
    await init.text();
    const id = init.headers.get("mcp-session-id") as string;
    const done = await fetch(`${cairn.url}/mcp`, {
      method: "POST",
      headers: { ...headers(token), "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    await done.text();
    return id;
  };
  const close = async (token: string, id: string) => {
    const response = await fetch(`${cairn.url}/mcp`, {
      method: "DELETE",
      headers: { ...headers(token), "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" },
    });
    await response.text();
  };
  const tokenOf = (i: number) => tokens[i % tokens.length] as string;
  // Warm up code paths so the measurement sees sessions, not first-use allocations.
  for (let i = 0; i < 20; i++) await close(tokenOf(i), await open(tokenOf(i)));
  // Three rounds: open `memorySessions`, measure the heap after full GCs, end them all; report the median.
  const heap: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < 3; round++) {
    const before = await heapUsed();
    const rssBefore = process.memoryUsage().rss;
    const ids: string[] = [];
    for (let i = 0; i < memorySessions; i++) ids.push(await open(tokenOf(i)));
    heap.push((await heapUsed()) - before);
    rss.push(process.memoryUsage().rss - rssBefore);
    for (const [i, id] of ids.entries()) await close(tokenOf(i), id);
  }
  const kib = (bytes: number) => Math.round(bytes / memorySessions / 102.4) / 10;
  return {
    sessions: memorySessions,
    heapPerSessionKiB: kib(percentile(heap, 50)),
    heapPerSessionKiBRounds: heap.map(kib),
    rssPerSessionKiB: kib(percentile(rss, 50)),
    gcExposed: gc !== undefined,
  };
}

async function benchBackend(backend: Backend) {
  progress(`${backend}: starting Cairn and seeding ${taskCount} tasks`);
  const cairn = await startTestCairn({
    db: backend,
    jobs: backend === "postgres" && process.env.REDIS_URL ? "bullmq" : "in-process",
    env: { CAIRN_RATE_LIMIT_PER_MINUTE: "1000000" },
    startWorkers: values.workers !== "false",
  });
  try {
    const owner = await cairn.token({ workspace: "bench", email: "owner@example.com" });
    await seed(cairn.engine.services.db, owner.workspace.id, owner.person.id, taskCount);
    const ids = await cairn.engine.services.db.scoped(owner.workspace.id, (tx) =>
      tx.query<{ id: string }>("SELECT id FROM tasks ORDER BY id LIMIT 2000"),
    );
    const taskIds = ids.rows.map((row) => row.id);
    const tokens: string[] = [owner.token];
    for (let i = 1; i < sessionCount; i++)
      tokens.push((await cairn.token({ workspace: "bench", email: `p${i}@example.com` })).token);

    progress(`${backend}: memory per session (3 rounds of ${memorySessions} sessions, before any load)`);
    const memory = await memoryPerSession(cairn, tokens);
    progress(
      `${backend}: ${memory.heapPerSessionKiB} KiB heap per session (rounds: ${memory.heapPerSessionKiBRounds.join(", ")})`,
    );
    const direct = await engineBaseline(cairn, owner, taskIds);
    progress(`${backend}: engine.call, sequential: ${JSON.stringify(direct)}`);
    const load = await runLoad({
      url: cairn.url,
      tokens,
      taskIds,
      rates,
      seconds,
      saturatedCalls,
      label: backend,
    });

    return {
      backend,
      tasks: taskCount,
      sessions: sessionCount,
      engineCallSequential: direct,
      ...load,
      memory,
    };
  } finally {
    await cairn.close();
  }
}

const results = [];
for (const backend of values.backends.split(",") as Backend[]) results.push(await benchBackend(backend));
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: "mcp",
      node: process.version,
      sessions: sessionCount,
      tasks: taskCount,
      rates,
      seconds,
      workers: values.workers !== "false",
      results,
    },
    null,
    2,
  )}\n`,
);
