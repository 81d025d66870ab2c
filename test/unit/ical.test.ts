/**
 * The iCalendar reader on feeds as real clients write them (test/fixtures/ics/): Outlook/Exchange (Windows
 * TZIDs, display-name TZIDs and a "Customized Time Zone" defined only by VTIMEZONE), Google (X-WR-TIMEZONE,
 * UTC times, EXDATE with TZID on several lines, an override), Apple/iCloud (several RRULEs, RDATE in every form,
 * all-day RDATE/EXDATE, a floating time). Every instance is checked to the minute, and an event that cannot be
 * read must come back with its reason instead of disappearing.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { IANAZone } from "luxon";
import { expandEvents, type IcalOccurrence, parseEvents } from "../../engine/sync/ical.ts";
import { findComponents, parseIcal } from "../../engine/sync/ical-text.ts";
import { ianaNameOf, ZoneResolver } from "../../engine/sync/ical-zones.ts";
import { WINDOWS_ZONES } from "../../engine/sync/windows-zones.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ics/${name}`, import.meta.url), "utf8");

function expand(text: string, from: string, to: string, timeZone?: string) {
  const parsed = parseEvents(text);
  const expanded = expandEvents(parsed.events, {
    calendarId: "calendar",
    from: new Date(from),
    to: new Date(to),
    timeZone: timeZone ?? parsed.timeZone ?? "UTC",
    email: "me@example.com",
  });
  return { parsed, ...expanded };
}

/** [start, end, summary] of the occurrences whose summary starts with `prefix`. */
function times(occurrences: IcalOccurrence[], prefix: string): [string, string, string][] {
  return occurrences
    .filter((o) => o.summary.startsWith(prefix))
    .map((o) => [o.start.slice(0, 16), o.end.slice(0, 16), o.summary]);
}

describe("iCalendar feeds as clients write them", () => {
  it("Outlook/Exchange: Windows TZIDs, display-name TZIDs and a custom VTIMEZONE, across both DST changes", () => {
    const { occurrences, skipped, parsed } = expand(
      fixture("outlook-exchange.ics"),
      "2026-03-01T00:00:00Z",
      "2026-04-01T00:00:00Z",
    );
    // Pacific Standard Time: 9:00 is 17:00Z before 8 March (PST), 16:00Z after (PDT); 16 March is an EXDATE.
    assert.deepEqual(times(occurrences, "Weekly sync"), [
      ["2026-03-02T17:00", "2026-03-02T17:30", "Weekly sync"],
      ["2026-03-09T16:00", "2026-03-09T16:30", "Weekly sync"],
      ["2026-03-23T16:00", "2026-03-23T16:30", "Weekly sync"],
    ]);
    // "(UTC+01:00) Amsterdam, Berlin, ..." (quoted TZID parameter): 10:00 CET, then 10:00 CEST after 29 March.
    assert.deepEqual(times(occurrences, "Design review"), [
      ["2026-03-27T09:00", "2026-03-27T10:00", "Design review"],
      ["2026-03-30T08:00", "2026-03-30T09:00", "Design review"],
    ]);
    // "Customized Time Zone" exists only as the feed's VTIMEZONE (US Eastern rules): 15:00 EST, then EDT on 8 March.
    assert.deepEqual(times(occurrences, "Vendor call"), [
      ["2026-03-06T20:00", "2026-03-06T20:45", "Vendor call (custom zone)"],
      ["2026-03-07T20:00", "2026-03-07T20:45", "Vendor call (custom zone)"],
      ["2026-03-08T19:00", "2026-03-08T19:45", "Vendor call (custom zone)"],
    ]);
    // A zone named the way Outlook 2003 named them, defined only by its VTIMEZONE: 14:00 CET, then CEST.
    assert.deepEqual(times(occurrences, "Quarterly planning"), [
      ["2026-03-26T13:00", "2026-03-26T14:00", "Quarterly planning"],
      ["2026-03-30T12:00", "2026-03-30T13:00", "Quarterly planning"],
    ]);
    // W. Europe Standard Time, UNTIL in UTC (inclusive), an EXDATE list, and a moved instance.
    const standups = occurrences.filter((o) => o.summary.startsWith("Standup"));
    assert.deepEqual(
      standups.map((o) => [o.start.slice(0, 16), o.summary, o.recurrenceId]),
      [
        ["2026-03-23T08:15", "Standup", "2026-03-23T08:15:00.000Z"],
        ["2026-03-25T13:00", "Standup (moved to the afternoon)", "2026-03-25T08:15:00.000Z"],
        ["2026-03-27T08:15", "Standup", "2026-03-27T08:15:00.000Z"],
      ],
    );
    const holiday = occurrences.find((o) => o.summary === "Company holiday");
    assert.deepEqual(
      [holiday?.start, holiday?.end, holiday?.allDay, holiday?.transparent],
      ["2026-03-20T00:00:00.000Z", "2026-03-21T00:00:00.000Z", true, true],
    );
    // Folded lines: the UID spans two lines and is read whole.
    assert.ok(
      occurrences.every((o) => o.uid.startsWith("040000008200E00074C5B7101A82E008") && o.uid.length > 80),
    );
    // The event whose zone is defined nowhere is reported, not dropped silently and not placed at a guessed time.
    assert.equal(occurrences.filter((o) => o.summary.startsWith("Board meeting")).length, 0);
    assert.equal(skipped.length, 0);
    assert.equal(parsed.skipped.length, 1);
    assert.match(parsed.skipped[0]?.externalId ?? "", /^040000008200E00074C5B7101A82E00800000000DEADBEEF/);
    assert.match(parsed.skipped[0]?.reason ?? "", /"Atlantis Standard Time".*no VTIMEZONE/);
  });

  it("Google: X-WR-TIMEZONE, several EXDATE lines with TZID, an override, UTC times, UNTIL in UTC", () => {
    const { occurrences, skipped, parsed } = expand(
      fixture("google.ics"),
      "2026-03-01T00:00:00Z",
      "2026-03-20T00:00:00Z",
    );
    assert.equal(parsed.timeZone, "America/New_York");
    assert.deepEqual(skipped, []);
    assert.deepEqual(parsed.skipped, []);
    assert.deepEqual(times(occurrences, "1:1 with Sam"), [
      ["2026-03-02T15:00", "2026-03-02T15:30", "1:1 with Sam"],
      ["2026-03-09T14:00", "2026-03-09T14:30", "1:1 with Sam"],
      ["2026-03-16T17:00", "2026-03-16T17:30", "1:1 with Sam (after lunch)"],
      ["2026-03-18T14:00", "2026-03-18T14:30", "1:1 with Sam"],
    ]);
    assert.equal(
      occurrences.find((o) => o.summary === "1:1 with Sam (after lunch)")?.recurrenceId,
      "2026-03-16T14:00:00.000Z",
    );
    // EXDATE in UTC; UNTIL 13:59:59Z stops before the 13th.
    assert.deepEqual(
      times(occurrences, "Launch war room").map(([start]) => start),
      ["2026-03-09T14:00", "2026-03-10T14:00", "2026-03-12T14:00"],
    );
    const lunch = occurrences.find((o) => o.summary === "Lunch & learn");
    assert.deepEqual([lunch?.start, lunch?.declined], ["2026-03-05T17:00:00.000Z", true]);
    // All-day: midnight in the feed's X-WR-TIMEZONE (EST).
    const dayOff = occurrences.find((o) => o.summary === "Team day off");
    assert.deepEqual([dayOff?.start, dayOff?.end], ["2026-03-06T05:00:00.000Z", "2026-03-07T05:00:00.000Z"]);
  });

  it("Apple/iCloud: two RRULEs, RDATE with TZID, in UTC, as PERIOD and as DATE lists, all-day EXDATE, floating time", () => {
    const { occurrences, skipped, parsed } = expand(
      fixture("apple-icloud.ics"),
      "2026-03-01T00:00:00Z",
      "2026-05-01T00:00:00Z",
    );
    assert.equal(parsed.timeZone, "Europe/Berlin");
    assert.deepEqual([...parsed.skipped, ...skipped], []);
    assert.deepEqual(times(occurrences, "Choir"), [
      ["2026-03-03T17:00", "2026-03-03T18:00", "Choir"], // DTSTART
      ["2026-03-15T17:00", "2026-03-15T18:00", "Choir"], // second RRULE (monthly on the 15th)
      ["2026-03-17T19:00", "2026-03-17T20:00", "Choir (concert rehearsal)"], // first RRULE, moved
      ["2026-03-20T17:00", "2026-03-20T18:00", "Choir"], // RDATE;TZID list
      ["2026-03-25T17:00", "2026-03-25T19:00", "Choir"], // RDATE;VALUE=PERIOD: its own end
      ["2026-03-27T16:00", "2026-03-27T17:00", "Choir"], // RDATE in UTC
      ["2026-03-31T16:00", "2026-03-31T17:00", "Choir"], // RDATE;TZID list, after the DST change
      ["2026-04-15T16:00", "2026-04-15T17:00", "Choir"], // second RRULE, CEST
    ]);
    // Every-other-week bin day minus the EXDATE (16 March) plus an RDATE list; midnight in Berlin.
    assert.deepEqual(
      occurrences.filter((o) => o.summary === "Bin day").map((o) => [o.start, o.end, o.allDay]),
      [
        ["2026-03-01T23:00:00.000Z", "2026-03-02T23:00:00.000Z", true],
        ["2026-03-17T23:00:00.000Z", "2026-03-18T23:00:00.000Z", true],
        ["2026-03-18T23:00:00.000Z", "2026-03-19T23:00:00.000Z", true],
        ["2026-03-29T22:00:00.000Z", "2026-03-30T22:00:00.000Z", true],
      ],
    );
    // A floating time is read in the calendar's zone.
    assert.deepEqual(times(occurrences, "Dentist"), [["2026-03-05T07:00", "2026-03-05T08:00", "Dentist"]]);
  });
});

const calendar = (...lines: string[]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...lines, "END:VCALENDAR", ""].join("\r\n");

describe("iCalendar reader details", () => {
  it("maps every Windows zone of the CLDR table to a valid IANA zone", () => {
    const entries = Object.entries(WINDOWS_ZONES);
    assert.ok(entries.length >= 139, `${entries.length} entries`);
    for (const [windows, iana] of entries) assert.ok(IANAZone.isValidZone(iana), `${windows} → ${iana}`);
    assert.equal(ianaNameOf("Pacific Standard Time"), "America/Los_Angeles");
    assert.equal(ianaNameOf("W. Europe Standard Time"), "Europe/Berlin");
    assert.equal(ianaNameOf("tokyo standard time"), "Asia/Tokyo");
    assert.equal(ianaNameOf('"Europe/Paris"'), "Europe/Paris");
    assert.equal(ianaNameOf("/mozilla.org/20050126_1/Europe/Berlin"), "Europe/Berlin");
    assert.equal(ianaNameOf("/Europe/Berlin"), "Europe/Berlin");
    assert.equal(ianaNameOf("Atlantis Standard Time"), undefined);
  });

  it("a VTIMEZONE-only zone: gap times move forward, repeated times take the first, offsets follow the rules", () => {
    const text = calendar(
      "BEGIN:VTIMEZONE",
      "TZID:Customized Time Zone",
      "BEGIN:STANDARD",
      "DTSTART:16010101T030000",
      "TZOFFSETFROM:+0200",
      "TZOFFSETTO:+0100",
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
      "END:STANDARD",
      "BEGIN:DAYLIGHT",
      "DTSTART:16010101T020000",
      "TZOFFSETFROM:+0100",
      "TZOFFSETTO:+0200",
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
      "END:DAYLIGHT",
      "END:VTIMEZONE",
    );
    const zone = new ZoneResolver(findComponents(parseIcal(text), "VTIMEZONE")).resolve(
      "Customized Time Zone",
    );
    assert.ok(typeof zone !== "string", String(zone));
    const at = (wall: string) => new Date(zone.toInstant(Date.parse(`${wall}Z`))).toISOString();
    assert.equal(at("2026-01-15T12:00:00"), "2026-01-15T11:00:00.000Z");
    assert.equal(at("2026-07-15T12:00:00"), "2026-07-15T10:00:00.000Z");
    assert.equal(at("2026-03-29T02:30:00"), "2026-03-29T01:30:00.000Z", "in the gap: the offset before it");
    assert.equal(at("2026-10-25T02:30:00"), "2026-10-25T00:30:00.000Z", "repeated: the first (summer) one");
    assert.equal(at("2026-10-25T03:30:00"), "2026-10-25T02:30:00.000Z");
    assert.equal(
      new Date(zone.toWall(Date.parse("2026-07-15T10:00:00Z"))).toISOString(),
      "2026-07-15T12:00:00.000Z",
    );
  });

  it("a VTIMEZONE whose TZID is written with escaped commas matches the quoted TZID parameter", () => {
    const text = calendar(
      "BEGIN:VTIMEZONE",
      "TZID:(UTC+05:30) Chennai\\, Kolkata\\, Mumbai\\, New Delhi (custom)",
      "BEGIN:STANDARD",
      "DTSTART:16010101T000000",
      "TZOFFSETFROM:+0530",
      "TZOFFSETTO:+0530",
      "END:STANDARD",
      "END:VTIMEZONE",
      "BEGIN:VEVENT",
      "UID:india@test",
      'DTSTART;TZID="(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi (custom)":20260302T100000',
      "DURATION:PT1H",
      "END:VEVENT",
    );
    const { occurrences, parsed } = expand(text, "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z");
    assert.deepEqual(parsed.skipped, []);
    assert.deepEqual(
      occurrences.map((o) => o.start),
      ["2026-03-02T04:30:00.000Z"],
    );
  });

  it("an IANA zone reads local times the same way: the first of a repeated time, the offset before a gap", () => {
    const text = calendar(
      "BEGIN:VEVENT",
      "UID:fall-back@test",
      "DTSTART;TZID=Europe/Berlin:20261025T023000",
      "DURATION:PT30M",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:spring-forward@test",
      "DTSTART;TZID=Europe/Berlin:20260329T023000",
      "DURATION:PT30M",
      "END:VEVENT",
    );
    const { occurrences } = expand(text, "2026-03-01T00:00:00Z", "2026-12-01T00:00:00Z");
    assert.deepEqual(
      occurrences.map((o) => [o.uid, o.start]),
      [
        ["spring-forward@test", "2026-03-29T01:30:00.000Z"],
        ["fall-back@test", "2026-10-25T00:30:00.000Z"],
      ],
    );
  });

  it("the union of several RRULEs counts each instant once; DTSTART is always an instance", () => {
    const text = calendar(
      "BEGIN:VEVENT",
      "UID:union@test",
      "DTSTART;TZID=Europe/Paris:20260302T120000",
      "DURATION:PT1H",
      "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2",
      "RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3",
      "SUMMARY:Lunch",
      "END:VEVENT",
    );
    const { occurrences } = expand(text, "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z");
    assert.deepEqual(
      occurrences.map((o) => [o.start.slice(0, 16), o.end.slice(0, 16)]),
      [
        ["2026-03-02T11:00", "2026-03-02T12:00"], // DTSTART (a Monday, not matching the weekly rule)
        ["2026-03-04T11:00", "2026-03-04T12:00"], // both rules: once
        ["2026-03-06T11:00", "2026-03-06T12:00"],
        ["2026-03-11T11:00", "2026-03-11T12:00"],
      ],
    );
  });

  it("a years-old frequent series expands only around the window, on its own grid; past 5000 instances it says so", () => {
    const text = calendar(
      "BEGIN:VEVENT",
      "UID:hourly@test",
      "DTSTART:20100101T090000Z",
      "DURATION:PT10M",
      "RRULE:FREQ=HOURLY;INTERVAL=5",
      "END:VEVENT",
    );
    const from = Date.parse("2026-03-02T00:00:00Z");
    const { occurrences, skipped } = expand(text, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z");
    const start = Date.parse("2010-01-01T09:00:00Z");
    const period = 5 * 3_600_000;
    const first = start + Math.ceil((from - start) / period) * period;
    assert.deepEqual(
      occurrences.map((o) => o.start),
      [0, 1, 2, 3, 4].map((n) => new Date(first + n * period).toISOString()),
    );
    assert.deepEqual(skipped, []);

    const minutely = calendar(
      "BEGIN:VEVENT",
      "UID:minutely@test",
      "DTSTART:20100101T090000Z",
      "RRULE:FREQ=MINUTELY",
      "END:VEVENT",
    );
    const flood = expand(minutely, "2026-03-02T00:00:00Z", "2026-03-12T00:00:00Z");
    assert.deepEqual(flood.skipped, [
      {
        externalId: "minutely@test",
        reason: 'RRULE "FREQ=MINUTELY" repeats more than 5000 times in the window: the rest were not read',
      },
    ]);
  });

  it("EXDATE as a DATE removes that day's instance of a timed series; a PERIOD RDATE may give a duration", () => {
    const text = calendar(
      "BEGIN:VEVENT",
      "UID:daily@test",
      "DTSTART:20260302T090000Z",
      "DTEND:20260302T093000Z",
      "RRULE:FREQ=DAILY;COUNT=3",
      "EXDATE;VALUE=DATE:20260303",
      "RDATE;VALUE=PERIOD:20260310T090000Z/PT2H",
      "SUMMARY:Daily",
      "END:VEVENT",
    );
    const { occurrences } = expand(text, "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z");
    assert.deepEqual(
      occurrences.map((o) => [o.start.slice(0, 16), o.end.slice(0, 16)]),
      [
        ["2026-03-02T09:00", "2026-03-02T09:30"],
        ["2026-03-04T09:00", "2026-03-04T09:30"],
        ["2026-03-10T09:00", "2026-03-10T11:00"],
      ],
    );
  });

  it("reports each unreadable event or value with its reason and keeps the rest", () => {
    const text = calendar(
      "BEGIN:VEVENT",
      "SUMMARY:No UID",
      "DTSTART:20260302T090000Z",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:no-start@test",
      "SUMMARY:No start",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:bad-date@test",
      "DTSTART:20261345T090000Z",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:bad-rule@test",
      "DTSTART:20260302T090000Z",
      "RRULE:FREQ=SOMETIMES",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:bad-rdate@test",
      "DTSTART:20260302T090000Z",
      "DTEND:20260302T100000Z",
      "RDATE:20260303T090000Z,tomorrow",
      "SUMMARY:Kept",
      "END:VEVENT",
    );
    const { occurrences, parsed } = expand(text, "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z");
    assert.deepEqual(
      parsed.skipped.map((s) => [s.externalId, s.reason]),
      [
        ["VEVENT #1 (no UID)", "no UID"],
        ["no-start@test", "no DTSTART"],
        ["bad-date@test", 'DTSTART "20261345T090000Z" is not a date or date-time'],
        ["bad-rule@test", 'RRULE "FREQ=SOMETIMES" could not be read'],
        ["bad-rdate@test", 'RDATE "tomorrow" is not a date or date-time; that RDATE value was ignored'],
      ],
    );
    assert.deepEqual(
      occurrences.map((o) => [o.uid, o.start.slice(0, 16)]),
      [
        ["bad-rdate@test", "2026-03-02T09:00"],
        ["bad-rdate@test", "2026-03-03T09:00"],
      ],
    );
  });
});

describe("iCalendar overrides and duplicates", () => {
  const series = [
    "BEGIN:VEVENT",
    "UID:series@test",
    "SEQUENCE:0",
    "DTSTART;TZID=Europe/Berlin:20260302T100000",
    "DTEND;TZID=Europe/Berlin:20260302T110000",
    "RRULE:FREQ=WEEKLY;COUNT=4",
    "SUMMARY:Series",
    "END:VEVENT",
  ];
  const override = (original: string, start: string, extra: string[] = []) => [
    "BEGIN:VEVENT",
    "UID:series@test",
    `RECURRENCE-ID;TZID=Europe/Berlin:${original}`,
    `DTSTART;TZID=Europe/Berlin:${start}`,
    "DURATION:PT1H",
    ...extra,
    "SUMMARY:Series (changed)",
    "END:VEVENT",
  ];

  it("a cancelled instance stays as cancelled, a moved one lands where it moved, even from outside the window", () => {
    const text = calendar(
      ...series,
      ...override("20260309T100000", "20260309T100000", ["STATUS:CANCELLED"]),
      // The 23 March instance (outside the window) moved into it, to 13 March.
      ...override("20260323T100000", "20260313T150000"),
    );
    const { occurrences } = expand(text, "2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z");
    assert.deepEqual(
      occurrences.map((o) => [o.start.slice(0, 16), o.status, o.recurrenceId]),
      [
        ["2026-03-02T09:00", "confirmed", "2026-03-02T09:00:00.000Z"],
        ["2026-03-09T09:00", "cancelled", "2026-03-09T09:00:00.000Z"],
        ["2026-03-13T14:00", "confirmed", "2026-03-23T09:00:00.000Z"],
        ["2026-03-16T09:00", "confirmed", "2026-03-16T09:00:00.000Z"],
      ],
    );
  });

  it("an instance without its series (a CalDAV invitation to one occurrence) is kept", () => {
    const { occurrences } = expand(
      calendar(...override("20260309T100000", "20260309T120000")),
      "2026-03-01T00:00:00Z",
      "2026-03-20T00:00:00Z",
    );
    assert.deepEqual(
      occurrences.map((o) => [o.uid, o.start, o.recurrenceId]),
      [["series@test", "2026-03-09T11:00:00.000Z", "2026-03-09T09:00:00.000Z"]],
    );
  });

  it("two VEVENTs with one UID: the higher SEQUENCE wins and the other is reported", () => {
    const newer = series.map((line) =>
      line === "SEQUENCE:0" ? "SEQUENCE:3" : line === "SUMMARY:Series" ? "SUMMARY:Series (v3)" : line,
    );
    const { occurrences, skipped } = expand(
      calendar(...newer, ...series),
      "2026-03-01T00:00:00Z",
      "2026-03-04T00:00:00Z",
    );
    assert.deepEqual(
      occurrences.map((o) => o.summary),
      ["Series (v3)"],
    );
    assert.deepEqual(skipped, [
      {
        externalId: "series@test",
        reason: "another VEVENT has the same UID and replaces this one (SEQUENCE 0)",
      },
    ]);
  });
});
