/**
 * The load generator of the MCP benchmark, run by run.ts in its own process so that client work (JSON,
 * SSE parsing, output-schema validation) does not share the server's event loop. Reads its job as JSON
 * on stdin, writes the latency summaries as JSON on stdout, progress on stderr.
 *
 * Phases, all over Streamable HTTP with one SDK client (and token, and GET SSE stream) per session:
 * - sequential: one session, one call at a time per tool: the cost of a call without queueing;
 * - paced, per rate: every session calls at `rate` calls/s (exponential gaps) for `seconds`;
 * - saturated: every session calls back-to-back (throughput, and latency when the server is the limit);
 * - writes: create_task from every session at the first rate.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { percentile, progress, seededRandom } from "../support/stats.ts";
import { words } from "./vocabulary.ts";

export interface LoadJob {
  url: string;
  tokens: string[];
  taskIds: string[];
  rates: number[];
  seconds: number;
  saturatedCalls: number;
  label: string;
}

interface Call {
  tool: string;
  args: () => Record<string, unknown>;
}

function readCalls(taskIds: string[]): Call[] {
  const random = seededRandom(11);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  return [
    { tool: "list_tasks", args: () => ({ status: "todo", limit: 20 }) },
    { tool: "search_tasks", args: () => ({ query: `${pick(words)} ${pick(words)}`, limit: 10 }) },
    { tool: "get_task", args: () => ({ id: pick(taskIds) }) },
  ];
}

async function connect(url: string, token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "cairn-bench", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools(); // caches the output validators, as real clients do
  return client;
}

type Latencies = Map<string, number[]>;

/** Calls that failed at the transport (e.g. a keep-alive socket closed by the server as it was reused). */
const transportErrors: string[] = [];

async function timedCall(client: Client, call: Call, into: Latencies): Promise<void> {
  const started = performance.now();
  let result: Awaited<ReturnType<Client["callTool"]>>;
  try {
    result = await client.callTool({ name: call.tool, arguments: call.args() });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    transportErrors.push(`${call.tool}: ${(error as Error).message}${cause ? ` (${cause})` : ""}`);
    progress(`transport error: ${transportErrors.at(-1)}`);
    return;
  }
  const ms = performance.now() - started;
  if (result.isError) throw new Error(`${call.tool} failed: ${JSON.stringify(result.content)}`);
  const list = into.get(call.tool) ?? [];
  list.push(ms);
  into.set(call.tool, list);
}

const round = (x: number) => Math.round(x * 10) / 10;

function summarize(latencies: Latencies, seconds: number) {
  const all = [...latencies.values()].flat();
  return {
    calls: all.length,
    callsPerSecond: Math.round((all.length / seconds) * 10) / 10,
    p50Ms: round(percentile(all, 50)),
    p95Ms: round(percentile(all, 95)),
    byTool: Object.fromEntries(
      [...latencies].map(([tool, list]) => [
        tool,
        { calls: list.length, p50Ms: round(percentile(list, 50)), p95Ms: round(percentile(list, 95)) },
      ]),
    ),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sequential(client: Client, calls: Call[], perTool = 60) {
  const latencies: Latencies = new Map();
  const started = performance.now();
  for (const call of calls) for (let i = 0; i < perTool; i++) await timedCall(client, call, latencies);
  return summarize(latencies, (performance.now() - started) / 1000);
}

/** Open-loop load: each session calls at `rate`/s with exponential gaps, whether or not calls are slow. */
async function paced(clients: Client[], calls: Call[], rate: number, seconds: number) {
  const latencies: Latencies = new Map();
  const random = seededRandom(Math.round(rate * 1000));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client, index) => {
      const inFlight: Promise<void>[] = [];
      let next = started + (-Math.log(1 - random()) * 1000) / rate;
      for (let i = 0; next < deadline; i++) {
        await sleep(Math.max(0, next - performance.now()));
        inFlight.push(timedCall(client, calls[(index + i) % calls.length] as Call, latencies));
        next += (-Math.log(1 - random()) * 1000) / rate;
      }
      await Promise.all(inFlight);
    }),
  );
  return { ratePerSession: rate, ...summarize(latencies, (performance.now() - started) / 1000) };
}

async function saturated(clients: Client[], calls: Call[], perSession: number) {
  const latencies: Latencies = new Map();
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, index) => {
      for (let i = 0; i < perSession; i++)
        await timedCall(client, calls[(index + i) % calls.length] as Call, latencies);
    }),
  );
  return summarize(latencies, (performance.now() - started) / 1000);
}

async function writes(clients: Client[], rate: number, seconds: number) {
  let n = 0;
  const create: Call = {
    tool: "create_task",
    args: () => ({ title: `Bench write ${n++}`, estimateMinutes: 30 }),
  };
  return paced(clients, [create], rate, seconds);
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const job = JSON.parse(Buffer.concat(chunks).toString()) as LoadJob;
progress(`${job.label}: opening ${job.tokens.length} sessions`);
const clients = await Promise.all(job.tokens.map((token) => connect(job.url, token)));
const calls = readCalls(job.taskIds);
for (const client of clients) await timedCall(client, calls[0] as Call, new Map());

const baseline = await sequential(clients[0] as Client, calls);
progress(`${job.label}: one session, sequential: p50 ${baseline.p50Ms} ms, p95 ${baseline.p95Ms} ms`);
const pacedReads = [];
for (const rate of job.rates) {
  progress(
    `${job.label}: paced reads, ${rate}/s per session × ${clients.length} sessions for ${job.seconds}s`,
  );
  const result = await paced(clients, calls, rate, job.seconds);
  progress(
    `${job.label}:   p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms (${result.callsPerSecond} calls/s)`,
  );
  pacedReads.push(result);
}
const saturatedReads = await saturated(clients, calls, job.saturatedCalls);
progress(
  `${job.label}: saturated: p50 ${saturatedReads.p50Ms} ms, p95 ${saturatedReads.p95Ms} ms, ${saturatedReads.callsPerSecond} calls/s`,
);
const pacedWrites = await writes(clients, job.rates[0] ?? 0.2, job.seconds);
progress(`${job.label}: paced writes: p50 ${pacedWrites.p50Ms} ms, p95 ${pacedWrites.p95Ms} ms`);
await Promise.all(clients.map((client) => client.close()));
process.stdout.write(
  `${JSON.stringify({ sequential: baseline, pacedReads, saturatedReads, pacedWrites, transportErrors })}\n`,
);
