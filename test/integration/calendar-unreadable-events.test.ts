/**
 * A calendar event Cairn cannot read is never dropped silently: `sync_now` (what `cairn sync` and the admin
 * console call) counts it in `skipped` and names it with its reason in `skippedItems`, while the events it can
 * read, including one in a zone defined only by the feed's VTIMEZONE, are stored at their right time.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn } from "./sync-support.ts";

/** Tomorrow (UTC) as an iCalendar date, so the events fall inside the default sync window. */
const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
const isoDay = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;

// As Outlook publishes a calendar whose zone has no Windows id: "Customized Time Zone", here UTC+05:30.
const feed = [
  "BEGIN:VCALENDAR",
  "METHOD:PUBLISH",
  "PRODID:Microsoft Exchange Server 2010",
  "VERSION:2.0",
  "BEGIN:VTIMEZONE",
  "TZID:Customized Time Zone",
  "BEGIN:STANDARD",
  "DTSTART:16010101T000000",
  "TZOFFSETFROM:+0530",
  "TZOFFSETTO:+0530",
  "END:STANDARD",
  "END:VTIMEZONE",
  "BEGIN:VEVENT",
  "UID:offshore-sync@test",
  `DTSTART;TZID=Customized Time Zone:${day}T100000`,
  `DTEND;TZID=Customized Time Zone:${day}T110000`,
  "SUMMARY:Offshore sync",
  "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
  "END:VEVENT",
  "BEGIN:VEVENT",
  "UID:board@test",
  `DTSTART;TZID=Atlantis Standard Time:${day}T100000`,
  `DTEND;TZID=Atlantis Standard Time:${day}T110000`,
  "SUMMARY:Board meeting",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

for (const backend of backends()) {
  describe(`unreadable calendar events in the sync stats (${backend.name})`, { skip: backend.skip }, () => {
    let app: SyncCairn;
    let ics: Server;
    let url: string;

    before(async () => {
      ics = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/calendar" });
        res.end(feed);
      });
      await new Promise<void>((resolve) => ics.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(ics.address() as AddressInfo).port}/outlook.ics`;
      app = await startSyncCairn({ db: backend.db, jobs: backend.jobs });
    });
    after(async () => {
      await app?.close();
      await new Promise((resolve) => ics?.close(resolve));
    });

    it("sync_now counts the event it cannot read, with its reason, and stores the rest at the right time", async () => {
      const connection = await app.call<{ id: string }>("connect_ics", {
        urls: [url],
        name: "outlook",
        syncEveryMinutes: 0,
      });
      const synced = await app.call<{
        results: { ok: boolean; stats: { created: number; skipped: number } }[];
        totals: { skipped: number; skippedItems: { externalId: string; reason: string }[] };
      }>("sync_now", { connection: connection.id });
      assert.equal(synced.results[0]?.ok, true);
      assert.equal(synced.results[0]?.stats.created, 1);
      assert.equal(synced.results[0]?.stats.skipped, 1);
      assert.equal(synced.totals.skipped, 1);
      assert.deepEqual(synced.totals.skippedItems, [
        {
          externalId: "board@test",
          reason:
            'DTSTART: time zone "Atlantis Standard Time" is neither an IANA nor a Windows zone, and the feed has no VTIMEZONE for it',
        },
      ]);
      const stored = await app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
        tx.query<{ title: string; start_at: Date }>(
          "SELECT title, start_at FROM calendar_events WHERE connection_id = $1",
          [connection.id],
        ),
      );
      assert.deepEqual(
        stored.rows.map((r) => [r.title, new Date(r.start_at).toISOString()]),
        [["Offshore sync", `${isoDay}T04:30:00.000Z`]],
      );
    });
  });
}
