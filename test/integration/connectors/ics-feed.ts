/**
 * A published iCalendar feed for the conformance suite: one VCALENDAR whose events can be added, renamed and
 * removed, served with a strong ETag (304 on If-None-Match) like Google's and iCloud's public feeds, and
 * one-shot faults (429 + Retry-After) through the fakes' shared fault queue.
 */
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import { createFakeApp, type FailNextOptions, listen } from "../../fakes/common.ts";

export interface FeedEvent {
  uid: string;
  title: string;
  start: string;
  end: string;
  /** DTSTAMP; set when the event is put, so unchanged events read back identical. */
  stamp?: string;
}

export interface IcsFeed {
  /** The feed's URL (`<server>/calendar.ics`). */
  url: string;
  put(event: FeedEvent): void;
  remove(uid: string): void;
  failNext(options?: FailNextOptions): void;
  close(): Promise<void>;
}

/** `20261130T090000Z` from an ISO instant. */
export function icalUtc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** RFC 5545 TEXT escaping. */
function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** One VEVENT's lines. */
export function vevent(event: FeedEvent): string[] {
  return [
    "BEGIN:VEVENT",
    `UID:${event.uid}`,
    `DTSTAMP:${icalUtc(event.stamp ?? new Date().toISOString())}`,
    `DTSTART:${icalUtc(event.start)}`,
    `DTEND:${icalUtc(event.end)}`,
    `SUMMARY:${escapeText(event.title)}`,
    "END:VEVENT",
  ];
}

export function vcalendar(events: readonly FeedEvent[]): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Cairn conformance//EN",
    ...events.flatMap((event) => vevent(event)),
    "END:VCALENDAR",
  ];
  return `${lines.join("\r\n")}\r\n`;
}

export async function startIcsFeed(): Promise<IcsFeed> {
  const events = new Map<string, FeedEvent>();
  let body = vcalendar([]);
  const render = () => {
    body = vcalendar([...events.values()]);
  };
  const { app, faults } = createFakeApp({ faultBody: () => ({ error: "injected" }) });
  app.get("/calendar.ics", (req: Request, res: Response) => {
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    if (req.header("if-none-match") === etag) {
      res.status(304).set("ETag", etag).end();
      return;
    }
    res.status(200).set({ "Content-Type": "text/calendar; charset=utf-8", ETag: etag }).send(body);
  });
  const server = await listen(
    app,
    () => ({ status: 404, body: { error: "not found" } }),
    () => ({ status: 500, body: { error: "internal" } }),
  );
  return {
    url: `${server.url}/calendar.ics`,
    put(event) {
      events.set(event.uid, { ...event, stamp: event.stamp ?? new Date().toISOString() });
      render();
    },
    remove(uid) {
      events.delete(uid);
      render();
    },
    failNext(options) {
      faults.push(options);
    },
    close: () => server.close(),
  };
}
