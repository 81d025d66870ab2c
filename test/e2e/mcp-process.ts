/** Helpers for the MCP end-to-end tests that run the real `cairn` command. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export const root = new URL("../..", import.meta.url).pathname;
export const cli = join(root, "bin", "cairn.js");
const run = promisify(execFile);

/** The environment of a Cairn process for this test: nothing inherited that points elsewhere. */
export function cairnEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("CAIRN_") && key !== "DATABASE_URL" && key !== "REDIS_URL")
      env[key] = value;
  }
  return { ...env, CAIRN_LOG_LEVEL: "info", ...extra };
}

export async function createToken(
  env: Record<string, string>,
  workspace = "stdio",
  person = "ada@example.com",
) {
  const { stdout } = await run(
    process.execPath,
    [cli, "token", "create", "--workspace", workspace, "--person", person],
    {
      cwd: root,
      env,
    },
  );
  return stdout.trim();
}
