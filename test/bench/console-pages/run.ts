/**
 * `npm run bench -- console-pages [--runs N]`: first load of each console page in headless Chromium against an
 * embedded Cairn (PGlite, in-process queue) on this machine. Each run is a fresh browser profile (cold
 * cache) that is already signed in; the time is from navigation to the page's heading with its data
 * loaded. Also the bytes sent for the first page and the console's asset sizes raw, gzip and brotli.
 * `--compare <dist dir>` measures another build of the console (e.g. an older commit's) side by side: the
 * same page, run after run, alternating between the two, each served by its own embedded Cairn.
 * `--pages Insights,Plans` measures only the pages with those navigation labels. `--tasks N` gives the
 * signed-in person a history of N tasks first (seed.ts), the same in both Cairns.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { browserSkip, openBrowser } from "../../e2e/console/browser.ts";
import { ensureConsoleBuilt } from "../../e2e/console/build.ts";
import { startTestCairn } from "../../support/harness.ts";
import { seedHistory } from "./seed.ts";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const compareAt = process.argv.indexOf("--compare");
const compareDir = compareAt > 0 ? process.argv[compareAt + 1] : undefined;
const ALL_PAGES = [
  ["Overview", "/admin/"],
  ["Connections", "/admin/connections"],
  ["People", "/admin/people"],
  ["Plans", "/admin/plans"],
  ["Insights", "/admin/insights"],
  ["Nudges", "/admin/nudges"],
  ["Audit log", "/admin/audit"],
  ["Bots and MCP", "/admin/bots"],
] as const;
const pagesAt = process.argv.indexOf("--pages");
const only =
  pagesAt > 0 ? (process.argv[pagesAt + 1] ?? "").split(",").map((label) => label.trim()) : undefined;
const PAGES = only ? ALL_PAGES.filter(([label]) => only.includes(label)) : ALL_PAGES;
if (PAGES.length === 0) {
  process.stderr.write(`--pages names none of: ${ALL_PAGES.map(([label]) => label).join(", ")}\n`);
  process.exit(2);
}
const tasks = process.argv.includes("--tasks")
  ? Number(process.argv[process.argv.indexOf("--tasks") + 1])
  : 0;
const OWNER = { email: "bench@example.com", password: "benchmark password" };

const skip = browserSkip();
if (skip) {
  process.stderr.write(`console bench skipped: ${skip}\n`);
  process.exit(0);
}
await ensureConsoleBuilt();

/** An embedded Cairn serving one build of the console, with an owner signed in (the cookie to reuse). */
async function serve(distDir: string | undefined) {
  const cairn = await startTestCairn({ startWorkers: false, ...(distDir ? { console: { distDir } } : {}) });
  const setup = await fetch(`${cairn.url}/admin/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  const cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (tasks > 0) {
    const { user } = (await setup.json()) as { user: { personId: string } };
    await seedHistory(cairn.engine.services.db, user.personId, tasks);
  }
  const [name = "", value = ""] = cookie.split("=");
  return { cairn, name, value };
}

const builds = [
  { build: "current", ...(await serve(undefined)) },
  ...(compareDir ? [{ build: "compared", ...(await serve(compareDir)) }] : []),
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

type Figures = { medianMs: number; maxMs: number; transferredKB: number };
const results: Record<string, Record<string, Figures>> = {};
try {
  for (const [label, path] of PAGES) {
    const times = new Map<string, number[]>(builds.map((b) => [b.build, []]));
    const transferred = new Map<string, number>();
    for (let run = 0; run < runs; run++) {
      // Alternate which build goes first, so neither always meets the machine right after the other's run.
      for (const served of run % 2 ? [...builds].reverse() : builds) {
        const browser = await openBrowser();
        try {
          await browser.context.addCookies([
            { name: served.name, value: served.value, url: served.cairn.url },
          ]);
          const page = await browser.context.newPage();
          const started = performance.now();
          await page.goto(`${served.cairn.url}${path}`);
          await page.getByRole("heading", { level: 1, name: label }).waitFor();
          await page.locator('[aria-busy="true"]').first().waitFor({ state: "detached" });
          times.get(served.build)?.push(performance.now() - started);
          transferred.set(
            served.build,
            await page.evaluate(
              `performance.getEntriesByType("resource").concat(performance.getEntriesByType("navigation")).reduce((sum, e) => sum + (e.transferSize || 0), 0)`,
            ),
          );
        } finally {
          await browser.close();
        }
      }
    }
    results[label] = {};
    for (const { build } of builds) {
      const measured = times.get(build) ?? [];
      const figures = {
        medianMs: Math.round(median(measured)),
        maxMs: Math.round(Math.max(...measured)),
        transferredKB: Math.round((transferred.get(build) ?? 0) / 102.4) / 10,
      };
      results[label][build] = figures;
      process.stderr.write(`${label} (${build}): ${figures.medianMs} ms median of ${runs}\n`);
    }
  }
} finally {
  for (const served of builds) await served.cairn.close();
}

const assets = join(new URL("../../../admin/console/dist/assets", import.meta.url).pathname);
const sizes = readdirSync(assets)
  .filter((name) => /\.(js|css)$/.test(name))
  .map((name) => {
    const raw = readFileSync(join(assets, name));
    return {
      name,
      kB: raw.length / 1024,
      gzipKB: gzipSync(raw).length / 1024,
      brKB: brotliCompressSync(raw).length / 1024,
    };
  })
  .sort((a, b) => b.kB - a.kB)
  .map((a) => ({ name: a.name, kB: a.kB.toFixed(1), gzipKB: a.gzipKB.toFixed(1), brKB: a.brKB.toFixed(1) }));
process.stdout.write(`${JSON.stringify({ runs, tasks, pages: results, assets: sizes }, null, 2)}\n`);
