#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm install` and `npm test`). When dist/ is missing or older than
// a source file (while developing), runs the TypeScript sources through tsx instead, so it is never stale.
import { readdirSync, statSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const SOURCES = ["bin", "engine", "connectors", "bots", "mcp-server", "models", "admin"];

function newestSource(dir, newest) {
  let latest = newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) latest = newestSource(path, latest);
    else if (entry.name.endsWith(".ts") || entry.name.endsWith(".sql"))
      latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function distIsFresh() {
  try {
    const built = statSync(`${root}dist/.built`).mtimeMs;
    let newest = statSync(`${root}package.json`).mtimeMs;
    for (const dir of SOURCES) newest = newestSource(`${root}${dir}`, newest);
    return newest <= built;
  } catch {
    return false;
  }
}

if (distIsFresh()) {
  await import("../dist/bin/cairn.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./cairn.ts");
}
