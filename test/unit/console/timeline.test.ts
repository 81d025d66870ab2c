import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignLanes, layoutWeek, localDates, placement } from "../../../admin/console/src/lib/timeline.ts";

const week = { from: "2026-03-01T23:00:00.000Z", to: "2026-03-08T23:00:00.000Z" }; // Mon 2 – Sun 8 March, Berlin

describe("week timeline layout", () => {
  it("lists the person's local days, whatever the UTC instants", () => {
    const days = localDates(week.from, week.to, "Europe/Berlin");
    assert.deepEqual(
      days.map((d) => d.date),
      ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"],
    );
    assert.equal(days[0]?.weekday, 0, "Monday is 0");
  });

  it("places items by local time and puts overlapping ones side by side", () => {
    const timeline = layoutWeek(
      [
        {
          id: "m",
          kind: "meeting",
          title: "Standup",
          start: "2026-03-02T08:00:00Z",
          end: "2026-03-02T09:00:00Z",
        },
        {
          id: "b",
          kind: "task",
          title: "Write report",
          start: "2026-03-02T08:30:00Z",
          end: "2026-03-02T10:00:00Z",
          reason: "Your peak hours",
        },
        {
          id: "c",
          kind: "focus",
          title: "Focus",
          start: "2026-03-02T12:00:00Z",
          end: "2026-03-02T13:00:00Z",
        },
      ],
      week,
      "Europe/Berlin",
    );
    const monday = timeline.days[0];
    assert.ok(monday);
    const byId = Object.fromEntries(monday.items.map((item) => [item.id, item]));
    assert.deepEqual(
      [byId.m?.fromMinute, byId.m?.toMinute],
      [9 * 60, 10 * 60],
      "09:00–10:00 in Berlin (UTC+1)",
    );
    assert.deepEqual([byId.m?.lane, byId.m?.lanes, byId.b?.lane, byId.b?.lanes], [0, 2, 1, 2]);
    assert.deepEqual([byId.c?.lane, byId.c?.lanes], [0, 1], "a later item starts a new cluster");
    assert.equal(byId.b?.reason, "Your peak hours");
    assert.deepEqual([timeline.firstHour, timeline.lastHour], [8, 18]);
  });

  it("splits an item crossing midnight and widens the hours shown", () => {
    const timeline = layoutWeek(
      [
        {
          id: "late",
          kind: "meeting",
          title: "Release",
          start: "2026-03-03T21:00:00Z",
          end: "2026-03-04T01:00:00Z",
        },
      ],
      week,
      "Europe/Berlin",
    );
    const tuesday = timeline.days[1]?.items[0];
    const wednesday = timeline.days[2]?.items[0];
    assert.deepEqual([tuesday?.fromMinute, tuesday?.toMinute], [22 * 60, 24 * 60]);
    assert.deepEqual([wednesday?.fromMinute, wednesday?.toMinute], [0, 2 * 60]);
    assert.deepEqual([timeline.firstHour, timeline.lastHour], [0, 24]);
  });

  it("keeps an item ending at midnight on its own day, and all-day events apart", () => {
    const timeline = layoutWeek(
      [
        {
          id: "eve",
          kind: "focus",
          title: "Late",
          start: "2026-03-02T21:00:00Z",
          end: "2026-03-02T23:00:00Z",
        },
        {
          id: "off",
          kind: "meeting",
          title: "Holiday",
          start: "2026-03-05T23:00:00Z",
          end: "2026-03-06T23:00:00Z",
          allDay: true,
        },
      ],
      week,
      "Europe/Berlin",
    );
    assert.equal(timeline.days[0]?.items.length, 1);
    assert.equal(timeline.days[1]?.items.length, 0);
    assert.deepEqual(
      timeline.days.map((d) => d.allDay.length),
      [0, 0, 0, 0, 1, 0, 0],
    );
  });

  it("follows the daylight-saving change (Berlin, 29 March 2026)", () => {
    const range = { from: "2026-03-28T23:00:00Z", to: "2026-03-29T22:00:00Z" };
    const timeline = layoutWeek(
      [{ id: "x", kind: "task", title: "After", start: "2026-03-29T07:00:00Z", end: "2026-03-29T08:00:00Z" }],
      range,
      "Europe/Berlin",
    );
    assert.deepEqual(
      timeline.days.map((d) => d.date),
      ["2026-03-29"],
    );
    assert.deepEqual([timeline.days[0]?.items[0]?.fromMinute], [9 * 60], "UTC+2 after the change");
  });

  it("lays out three mutual overlaps in three lanes and positions them as percentages", () => {
    const items = assignLanes([
      { id: "a", kind: "task", title: "a", start: "", end: "", fromMinute: 540, toMinute: 660 },
      { id: "b", kind: "task", title: "b", start: "", end: "", fromMinute: 560, toMinute: 600 },
      { id: "c", kind: "task", title: "c", start: "", end: "", fromMinute: 570, toMinute: 620 },
      { id: "d", kind: "task", title: "d", start: "", end: "", fromMinute: 600, toMinute: 630 },
    ]);
    assert.deepEqual(
      items.map((i) => [i.id, i.lane, i.lanes]),
      [
        ["a", 0, 3],
        ["b", 1, 3],
        ["c", 2, 3],
        ["d", 1, 3],
      ],
      "d reuses b's lane once b has ended",
    );
    const place = placement(items[0]!, { firstHour: 8, lastHour: 18 });
    assert.deepEqual(place, { top: 10, height: 20, left: 0, width: 100 / 3 });
  });
});
