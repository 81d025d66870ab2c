/** The console's build for the browser tests: built once when admin/console/dist is missing or older than its sources. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const consoleRoot = new URL("../../../admin/console/", import.meta.url).pathname;

function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }
  return latest;
}

export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(consoleRoot, "dist/index.html");
  const sources = Math.max(
    newest(join(consoleRoot, "src")),
    statSync(join(consoleRoot, "index.html")).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = await import("vite");
  await vite.build({ configFile: join(consoleRoot, "vite.config.ts"), root: consoleRoot, logLevel: "warn" });
}
