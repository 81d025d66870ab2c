/**
 * `npm run bench -- console`: the admin console's server on embedded defaults (PGlite, in-process queue):
 * sign-in (one scrypt hash and a session), reading the session from the cookie, the overview and the
 * workspace insights, as medians over repeated requests; with `--dist <dir>` also the size of each built
 * asset as sent (brotli, gzip) and the time to compress the build at start-up. Prints JSON on stdout.
 * With `--people N [--tasks M]` it measures only the workspace insights for N people (aggregate.ts).
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createOrResetOwner } from "../../../admin/auth/owners.ts";
import { ConsoleClient } from "../../support/console-client.ts";
import { startTestCairn } from "../../support/harness.ts";
import { median, percentile } from "../support/stats.ts";

const summarize = (samples: number[]) => ({
  median: Number(median(samples).toFixed(1)),
  p95: Number(percentile(samples, 95).toFixed(1)),
});

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    dist: { type: "string" },
    people: { type: "string" },
    tasks: { type: "string", default: "0" },
  },
});
const runs = Number(values.runs);
if (values.people !== undefined) {
  const { benchAggregate } = await import("./aggregate.ts");
  const result = await benchAggregate({ people: Number(values.people), tasks: Number(values.tasks), runs });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

async function time(fn: () => Promise<unknown>, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

const cairn = await startTestCairn({
  startWorkers: false,
  console: values.dist ? { distDir: values.dist } : {},
});
try {
  await createOrResetOwner(cairn.engine.services.db, {
    workspace: "bench",
    email: "owner@example.com",
    password: "bench password 1",
  });
  const browser = new ConsoleClient(cairn.url);
  process.stderr.write(`console bench: ${runs} runs per request\n`);
  const signIn = await time(() => browser.signIn("owner@example.com", "bench password 1"), runs);
  const session = await time(() => browser.request("GET", "/admin/api/session"), runs * 5);
  const overview = await time(() => browser.request("GET", "/admin/api/overview"), runs);
  const insights = await time(
    () => browser.request("GET", "/admin/api/insights/workspace"),
    Math.max(5, runs / 3),
  );
  const result: Record<string, unknown> = {
    backend: "PGlite + in-process",
    runs,
    signInMs: summarize(signIn),
    sessionMs: summarize(session),
    overviewMs: summarize(overview),
    workspaceInsightsMs: summarize(insights),
  };
  if (values.dist) {
    const { ConsoleFiles } = await import("../../../admin/console-api/static.ts");
    const started = performance.now();
    new ConsoleFiles(values.dist).warm();
    result.precompressMs = Math.round(performance.now() - started);
    const { readdirSync, readFileSync } = await import("node:fs");
    const { brotliCompressSync, gzipSync } = await import("node:zlib");
    result.assets = readdirSync(`${values.dist}/assets`)
      .filter((name) => !name.endsWith(".br") && !name.endsWith(".gz"))
      .map((name) => {
        const raw = readFileSync(`${values.dist}/assets/${name}`);
        return {
          name,
          bytes: raw.length,
          br: brotliCompressSync(raw).length,
          gzip: gzipSync(raw, { level: 9 }).length,
        };
      });
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await cairn.close();
}
