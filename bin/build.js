#!/usr/bin/env node
/**
 * Compiles the TypeScript sources to dist/ (run by `npm install` through the `prepare` script, and by
 * `npm test` first), so `cairn` starts without compiling anything. Plain JavaScript: it runs before any
 * build exists. The SQL migrations and a package.json (type, version) are copied next to the JavaScript.
 * Without TypeScript installed (a production install that omits dev dependencies) it builds nothing and
 * bin/cairn.js runs the sources through tsx.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const next = join(root, "dist.next");
const dist = join(root, "dist");

/**
 * `cairn plan` is the one command people time as a whole process: its module and everything it imports
 * (the planner, zod, luxon) become one file, which loads in a fraction of the time of ~200 small ESM files.
 * esbuild comes with tsx; without it the plain compiled modules are used, which behave the same.
 */
async function bundlePlanCommand() {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    return;
  }
  await esbuild.build({
    entryPoints: [join(root, "bin/commands/plan.ts")],
    outfile: join(next, "bin/commands/plan.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // The MILP solver is loaded on demand (exact plans), with its WebAssembly next to it.
    external: ["highs"],
    allowOverwrite: true,
    logLevel: "warning",
  });
}

/** Text assets worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/;

/**
 * The admin console (admin/console, React + Vite) → admin/console/dist, served by the server under /admin.
 * Each asset gets .br and .gz siblings, compressed once here so the server sends them as they are.
 * Vite is a dev dependency: without it the console is not built and /admin says to run `npm run build`.
 */
async function buildConsole() {
  let vite;
  try {
    vite = await import("vite");
  } catch {
    process.stderr.write("cairn build: Vite is not installed; the admin console was not built.\n");
    return;
  }
  const consoleRoot = join(root, "admin/console");
  await vite.build({ configFile: join(consoleRoot, "vite.config.ts"), root: consoleRoot, logLevel: "warn" });
  const assets = join(consoleRoot, "dist/assets");
  for (const name of readdirSync(assets)) {
    if (!COMPRESSIBLE.test(name)) continue;
    const content = readFileSync(join(assets, name));
    writeFileSync(join(assets, `${name}.gz`), gzipSync(content, { level: 9 }));
    writeFileSync(
      join(assets, `${name}.br`),
      brotliCompressSync(content, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: 11,
          [zlib.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      }),
    );
  }
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  process.stderr.write("cairn build: TypeScript is not installed; cairn will run the sources through tsx.\n");
  process.exit(0);
}

rmSync(next, { recursive: true, force: true });
// The stamp carries the time the build started: a source edited during the build counts as newer.
const startedAt = new Date();
const compiled = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", next], {
  cwd: root,
  stdio: "inherit",
});
if (compiled.status !== 0) {
  rmSync(next, { recursive: true, force: true });
  process.stderr.write("cairn build: tsc failed; dist/ was left as it was.\n");
  process.exit(compiled.status ?? 1);
}
cpSync(join(root, "engine/db/migrations"), join(next, "engine/db/migrations"), { recursive: true });
await bundlePlanCommand();
try {
  await buildConsole();
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  process.stderr.write(
    `cairn build: the admin console failed to build; dist/ was left as it was.\n${error}\n`,
  );
  process.exit(1);
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
writeFileSync(
  join(next, "package.json"),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", private: true }, null, 2)}\n`,
);
// Written last: bin/cairn.js trusts dist/ only when this stamp is newer than every source file.
writeFileSync(join(next, ".built"), `${startedAt.toISOString()}\n`);
utimesSync(join(next, ".built"), startedAt, startedAt);
if (existsSync(dist)) rmSync(dist, { recursive: true, force: true });
renameSync(next, dist);
