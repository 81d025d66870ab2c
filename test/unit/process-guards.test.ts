/** The shutdown deadline: whatever is still closing, the process ends non-zero with a last log line. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { armShutdownDeadline } from "../../bin/process-guards.ts";

describe("armShutdownDeadline", () => {
  it("logs a last line and exits 1 once the deadline passes", async () => {
    const events: string[] = [];
    const exited = new Promise<number>((resolve) => {
      armShutdownDeadline(
        30,
        (ms) => events.push(`last words after ${ms} ms`),
        (code) => resolve(code),
      );
    });
    // A shutdown step still holding the event loop open: the deadline does not wait for it.
    const stuck = setTimeout(() => {}, 60_000);
    try {
      assert.equal(await exited, 1);
    } finally {
      clearTimeout(stuck);
    }
    assert.deepEqual(events, ["last words after 30 ms"]);
  });

  it("does not keep an otherwise finished process alive", () => {
    const timer = armShutdownDeadline(
      60_000,
      () => {},
      () => {},
    );
    assert.equal(timer.hasRef(), false);
    clearTimeout(timer);
  });
});
