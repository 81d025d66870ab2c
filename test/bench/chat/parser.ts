/**
 * Parser accuracy and time on the phrasing table (test/unit/conversation/parser-cases.ts): the share of phrasings
 * whose action and checked fields come out exactly, per action, and the time one parse takes (median and p95
 * over every case, repeated). `node --import tsx test/bench/chat/parser.ts [--repeats 20]`
 */
import { isDeepStrictEqual, parseArgs } from "node:util";
import { parseStandalone } from "../../../bots/conversation/parse.ts";
import { PARSER_CASES } from "../../unit/conversation/parser-cases.ts";

const { values } = parseArgs({ options: { repeats: { type: "string", default: "20" } } });
const repeats = Number(values.repeats);
const NOW = new Date("2026-03-18T08:00:00Z");

const perAction = new Map<string, { right: number; total: number }>();
let right = 0;
for (const c of PARSER_CASES) {
  const result = parseStandalone(c.text, { timezone: c.timezone ?? "Europe/Berlin", now: NOW });
  const ok =
    result.action === c.action &&
    (result.action === null ||
      Object.entries(c.input ?? {}).every(([field, expected]) =>
        isDeepStrictEqual(result.input[field], expected),
      ));
  const key = c.action ?? "(question)";
  const row = perAction.get(key) ?? { right: 0, total: 0 };
  row.total += 1;
  if (ok) row.right += 1;
  perAction.set(key, row);
  if (ok) right += 1;
}

const times: number[] = [];
for (let r = 0; r < repeats; r += 1) {
  for (const c of PARSER_CASES) {
    const started = performance.now();
    parseStandalone(c.text, { timezone: c.timezone ?? "Europe/Berlin", now: NOW });
    times.push(performance.now() - started);
  }
  process.stderr.write(`\rtiming ${r + 1}/${repeats}`);
}
process.stderr.write("\n");
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;

console.log(
  `parser accuracy: ${right}/${PARSER_CASES.length} (${((100 * right) / PARSER_CASES.length).toFixed(1)} %)`,
);
console.log("| action | right / cases |\n|---|---|");
for (const [action, row] of [...perAction].sort((a, b) => b[1].total - a[1].total))
  console.log(`| ${action} | ${row.right} / ${row.total} |`);
console.log(
  `parse time per message: p50 ${at(0.5).toFixed(3)} ms, p95 ${at(0.95).toFixed(3)} ms (${times.length} parses)`,
);
