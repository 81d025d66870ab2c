/**
 * A node:test reporter that counts what ran, for `npm test`'s closing line (test/run.ts prints it). Node's
 * own summary counts a skipped `describe` (a whole group skipped without its services) as a suite and not as
 * skipped, so it said "skipped 0" while groups were skipped; here a skipped group counts as a skipped group.
 * Plain JavaScript: node loads reporters before tsx's hooks apply.
 */

/** @param {{ type: string, data: { details?: { type?: string }, skip?: unknown, todo?: unknown } }} event */
function count(counts, event) {
  const { type, data } = event;
  const group = data.details?.type === "suite";
  if (type === "test:fail") {
    // A failing group's failures are counted on its tests (hooks failing cancel them, each a failure); a
    // file that cannot load comes as a failing test of its own.
    if (!group) counts.failed += 1;
    return;
  }
  if (type !== "test:pass") return;
  if (data.skip !== undefined && data.skip !== false) {
    if (group) counts.skippedGroups += 1;
    else counts.skippedTests += 1;
  } else if (data.todo !== undefined && data.todo !== false) {
    if (!group) counts.todo += 1;
  } else if (!group) counts.passed += 1;
}

/** Yields the counts as one JSON line once every event is in. */
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skippedTests: 0, skippedGroups: 0, todo: 0 };
  for await (const event of source) count(counts, event);
  yield `${JSON.stringify(counts)}\n`;
}
