/** Natural-language windows for reschedule_task, in the person's time zone. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CairnError } from "../../engine/errors.ts";
import { profileFromRow } from "../../engine/scheduling/input/profile.ts";
import { parseWindow } from "../../engine/scheduling/input/window-phrase.ts";

const profile = profileFromRow({ timezone: "America/New_York", working_hours: null, preferences: {} });
// Friday 6 March 2026, 10:00 in New York (UTC-5); DST starts Sunday 8 March.
const now = new Date("2026-03-06T15:00:00Z");

describe("parseWindow", () => {
  it("reads parts of the day", () => {
    const w = parseWindow("tomorrow afternoon", now, profile, 60);
    assert.equal(w.start, "2026-03-07T17:00:00.000Z");
    assert.equal(w.end, "2026-03-07T22:00:00.000Z");
    assert.match(w.label, /Sat 7 Mar 12:00–17:00/);
  });

  it("reads hour ranges across a DST change", () => {
    const w = parseWindow("next Monday 9-11", now, profile, 60);
    // Monday 9 March is already on EDT (UTC-4).
    assert.equal(w.start, "2026-03-09T13:00:00.000Z");
    assert.equal(w.end, "2026-03-09T15:00:00.000Z");
    const pm = parseWindow("monday 2-4", now, profile, 60);
    assert.equal(pm.start, "2026-03-09T18:00:00.000Z");
  });

  it("uses working hours for a bare day and the estimate for a single time", () => {
    const day = parseWindow("monday", now, profile, 60);
    assert.equal(day.start, "2026-03-09T13:00:00.000Z");
    assert.equal(day.end, "2026-03-09T21:00:00.000Z");
    const at = parseWindow("today at 3pm", now, profile, 45);
    assert.equal(at.start, "2026-03-06T20:00:00.000Z");
    assert.equal(at.end, "2026-03-06T20:45:00.000Z");
  });

  it("clips a window that started to now, and refuses nonsense and the past", () => {
    const w = parseWindow("this morning", now, profile, 60);
    assert.equal(w.start, now.toISOString());
    assert.throws(
      () => parseWindow("blue elephants", now, profile, 60),
      (e: unknown) => e instanceof CairnError && /when/.test(JSON.stringify(e.details)),
    );
    assert.throws(() => parseWindow("yesterday 9-11", now, profile, 60), CairnError);
  });
});
