/**
 * Regenerates the README regions that are derived from code, so they cannot drift:
 * `node --import tsx bin/docs.ts --write` (a test fails when the README is stale).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { settings } from "../engine/config.ts";

export const readmePath = new URL("../README.md", import.meta.url).pathname;

export function configTable(): string {
  const rows = settings.map((spec) => {
    const fallback = "default" in spec && spec.default ? `\`${spec.default}\`` : "";
    const secret = "secret" in spec && spec.secret ? " *(secret)*" : "";
    return `| \`${spec.env}\` | ${fallback} | ${spec.description.replace(/\|/g, "\\|")}${secret} |`;
  });
  return ["| Variable | Default | Meaning |", "|---|---|---|", ...rows].join("\n");
}

export function replaceRegion(text: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`README has no ${begin} … ${end} region`);
  return `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`;
}

export function renderReadme(text: string): string {
  return replaceRegion(text, "config", configTable());
}

if (process.argv.includes("--write")) {
  writeFileSync(readmePath, renderReadme(readFileSync(readmePath, "utf8")));
}
