/** The calendar connect actions as an admin calls them over HTTP: fields in, a stored connection out. */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type SyncCairn, startSyncCairn } from "./sync-support.ts";

const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
const feed = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Cairn test//EN",
  "BEGIN:VEVENT",
  "UID:planning-review@test",
  `DTSTART:${day}T100000Z`,
  `DTEND:${day}T110000Z`,
  "SUMMARY:Planning review",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

describe("calendar connect actions", () => {
  let app: SyncCairn;
  let ics: Server;
  let url: string;

  before(async () => {
    ics = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/calendar" });
      res.end(feed);
    });
    await new Promise<void>((resolve) => ics.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(ics.address() as AddressInfo).port}/team.ics`;
    app = await startSyncCairn({ db: "pglite", jobs: "in-process" });
  });
  after(async () => {
    await app?.close();
    await new Promise((resolve) => ics?.close(resolve));
  });

  it("connect_ics stores a named subscription whose sync brings in the feed's events", async () => {
    const connection = await app.call<{ id: string; kind: string; name: string }>("connect_ics", {
      urls: [url],
      name: "team",
      syncEveryMinutes: 0,
    });
    assert.equal(connection.kind, "ics");
    assert.equal(connection.name, "team");
    const synced = await app.call<{ results: { ok: boolean; stats: { created: number } }[] }>("sync_now", {
      connection: connection.id,
    });
    assert.equal(synced.results[0]?.ok, true);
    assert.equal(synced.results[0]?.stats.created, 1);
    const stored = await app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
      tx.query<{ title: string }>("SELECT title FROM calendar_events WHERE connection_id = $1", [
        connection.id,
      ]),
    );
    assert.deepEqual(
      stored.rows.map((r) => r.title),
      ["Planning review"],
    );
  });

  it("connect_ics with several URLs stores one connection per feed and returns them all", async () => {
    const second = url.replace("/team.ics", "/holidays.ics");
    const first = await app.call<{ id: string; name: string; connections?: { id: string; name: string }[] }>(
      "connect_ics",
      { urls: [url, second], name: "shared", syncEveryMinutes: 0 },
    );
    assert.deepEqual(
      first.connections?.map((connection) => connection.name),
      ["shared", "shared (2)"],
    );
    assert.equal(first.id, first.connections?.[0]?.id);
    const listed = await app.call<{ connections: { id: string; name: string; sourceUrl: string | null }[] }>(
      "list_connections",
      {},
    );
    const ours = listed.connections.filter((connection) => connection.name.startsWith("shared"));
    assert.equal(ours.length, 2);
    for (const connection of first.connections ?? []) {
      const synced = await app.call<{ results: { ok: boolean; stats: { created: number } }[] }>("sync_now", {
        connection: connection.id,
      });
      assert.equal(synced.results[0]?.ok, true, connection.name);
      assert.equal(synced.results[0]?.stats.created, 1, connection.name);
    }
  });

  it("connect_caldav without its fields says what is missing and stores nothing", async () => {
    const before = await app.call<{ connections: unknown[] }>("list_connections", {});
    const body = await app.call<{ error: { code: string; message: string } }>("connect_caldav", {}, 400);
    assert.equal(body.error.code, "invalid_input");
    assert.match(body.error.message, /Missing caldav details/);
    const afterList = await app.call<{ connections: unknown[] }>("list_connections", {});
    assert.equal(afterList.connections.length, before.connections.length);
  });
});
