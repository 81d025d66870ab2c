/**
 * The connectors the conformance suite runs on, each paired with its local provider: how to start it, the
 * credentials and settings of a fresh sandbox, how to seed, change and delete items, revoke the credential,
 * make the next request answer 429, and read back what write-back did. This is the only test file that names
 * the connectors (a rename is a one-file change); `registeredConnectors` is the list bin/ registers, so a
 * connector without a subject fails the suite.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { caldavConnector } from "../../../connectors/caldav/index.ts";
import { googleCalendarConnector } from "../../../connectors/google-calendar/index.ts";
import { icsConnector } from "../../../connectors/ics/index.ts";
import { connectors } from "../../../connectors/index.ts";
import { jiraConnector } from "../../../connectors/jira/index.ts";
import { notionConnector } from "../../../connectors/notion/index.ts";
import type { AnyConnector } from "../../../engine/sync/connector.ts";
import { startFaultProxy } from "../../fakes/common.ts";
import { type FakeGoogle, startFakeGoogle } from "../../fakes/google-calendar.ts";
import { JIRA_STATUSES, startFakeJira } from "../../fakes/jira.ts";
import { defaultTaskSchema, startFakeNotion } from "../../fakes/notion.ts";
import { skipWithoutRadicale, startRadicale } from "../../support/radicale.ts";
import type { ConnectorSubject, Sandbox, Seeded, StoredBlock } from "./conformance.ts";
import { type FeedEvent, startIcsFeed, vcalendar } from "./ics-feed.ts";

export const registeredConnectors: readonly AnyConnector[] = connectors;

/** Small enough that five seeded items take three pages. */
const PAGE_SIZE = 2;
const HOUR_MS = 3_600_000;

/** The i-th seeded event: tomorrow from 08:00 UTC, one hour each, inside every calendar source's window. */
function slot(i: number): { start: string; end: string } {
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  const start = day.getTime() + 24 * HOUR_MS + (8 + i) * HOUR_MS;
  return { start: new Date(start).toISOString(), end: new Date(start + HOUR_MS).toISOString() };
}

/** Fakes are cheap: one per sandbox, so tokens, faults and page sizes never leak between cases. */
const perSandbox = (open: () => Promise<Sandbox>) => async () => ({ open, stop: async () => {} });

const NotionStatus = z.object({ status: z.object({ name: z.string() }) });

const notion: ConnectorSubject = {
  connector: notionConnector,
  deletions: "marker",
  skip: false,
  start: perSandbox(async () => {
    const fake = await startFakeNotion({ maxPageSize: PAGE_SIZE });
    // With Notion's sub-items turned on: the two-way "Parent item" / "Sub-item" relation.
    const [source] = fake.state.addDatabase({
      title: "Conformance",
      dataSources: [
        {
          name: "Tasks",
          schema: {
            ...defaultTaskSchema,
            "Parent item": { type: "relation", syncedWith: "Sub-item" },
            "Sub-item": { type: "relation", syncedWith: "Parent item" },
          },
        },
      ],
    }).dataSources;
    if (!source) throw new Error("the Notion fake made no data source");
    return {
      credentials: { token: fake.state.token },
      // A trash pass on every incremental pull, so a page moved to the trash comes back as a deleted marker.
      settings: { apiUrl: fake.url, dataSourceIds: [source.id], trashCheckMinutes: 0 },
      pageSize: PAGE_SIZE,
      async seed(titles) {
        return titles.map((title) => ({
          externalId: fake.state.addPage(source.id, { properties: { Name: title, Status: "Not started" } })
            .id,
          title,
        }));
      },
      async rename(id, title) {
        fake.state.editPage(id, { Name: title });
      },
      // What deleting a page in Notion does: it goes to the trash.
      async remove(id) {
        fake.state.trashPage(id);
      },
      async revoke() {
        fake.state.revokeToken();
      },
      rateLimitNext(retryAfterSeconds) {
        fake.state.failNext({ status: 429, retryAfterSeconds });
      },
      async isDone(id) {
        return NotionStatus.parse(fake.state.renderPage(id).properties.Status).status.name === "Done";
      },
      close: () => fake.close(),
    };
  }),
};

const jira: ConnectorSubject = {
  connector: jiraConnector,
  deletions: "full-read",
  skip: false,
  start: perSandbox(async () => {
    const fake = await startFakeJira({ maxPageSize: PAGE_SIZE });
    const project = "CONF";
    fake.state.addProject({ key: project, name: "Conformance" });
    return {
      credentials: { email: "me@example.com", apiToken: "jira_fake_token" },
      settings: { host: fake.url, jql: `project = ${project}` },
      pageSize: PAGE_SIZE,
      async seed(titles) {
        return titles.map((title) => ({
          externalId: fake.state.addIssue({ projectKey: project, summary: title, status: "To Do" }).key,
          title,
        }));
      },
      async rename(key, title) {
        fake.state.editIssue(key, { summary: title });
      },
      async remove(key) {
        fake.state.deleteIssue(key);
      },
      async revoke() {
        fake.state.setCredentials({ apiToken: `revoked-${randomUUID()}` });
      },
      rateLimitNext(retryAfterSeconds) {
        fake.state.failNext({ status: 429, retryAfterSeconds });
      },
      async isDone(key) {
        const statusId = fake.state.issues.get(key)?.statusId;
        return JIRA_STATUSES.find((status) => status.id === statusId)?.category === "done";
      },
      close: () => fake.close(),
    };
  }),
};

function googleBlock(fake: FakeGoogle, calendarId: string, eventId: string): StoredBlock | null {
  let event: ReturnType<FakeGoogle["state"]["getEvent"]>;
  try {
    event = fake.state.getEvent(calendarId, eventId);
  } catch {
    return null;
  }
  const start = event.start?.dateTime;
  const end = event.end?.dateTime;
  if (event.status === "cancelled" || !start || !end) return null;
  return { title: event.summary ?? "", start, end };
}

const google: ConnectorSubject = {
  connector: googleCalendarConnector,
  deletions: "marker",
  skip: false,
  start: perSandbox(async () => {
    const fake = await startFakeGoogle({ maxPageSize: PAGE_SIZE });
    const calendar = fake.state.addCalendar({ summary: "Conformance", timeZone: "UTC" });
    return {
      credentials: {
        clientId: fake.state.clientId,
        clientSecret: fake.state.clientSecret,
        refreshToken: "1//fake-refresh-token",
      },
      settings: {
        apiUrl: fake.url,
        tokenUrl: fake.tokenUrl,
        includePrimary: false,
        calendarIds: [calendar.id],
        blockCalendarId: calendar.id,
      },
      pageSize: PAGE_SIZE,
      async seed(titles) {
        return titles.map((title, i) => {
          const { start, end } = slot(i);
          const event = fake.state.addEvent(calendar.id, {
            summary: title,
            start: { dateTime: start },
            end: { dateTime: end },
          });
          if (!event.id) throw new Error("the Google fake gave the event no id");
          return { externalId: event.id, title };
        });
      },
      async rename(id, title) {
        fake.state.updateEvent(calendar.id, id, { summary: title });
      },
      async remove(id) {
        fake.state.deleteEvent(calendar.id, id);
      },
      // Revoking an OAuth grant kills the refresh token and every access token issued under it.
      async revoke() {
        fake.state.revokeRefreshToken();
        fake.state.expireAccessTokens();
      },
      rateLimitNext(retryAfterSeconds) {
        fake.state.failNext({ status: 429, retryAfterSeconds });
      },
      async readBlock(calendarId, eventId) {
        return googleBlock(fake, calendarId, eventId);
      },
      close: () => fake.close(),
    };
  }),
};

/** `20261130T090000Z` → ISO. */
function fromIcalUtc(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC date-time: ${value}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

/** The VEVENT with this UID in a calendar's text (summary and UTC times), or null. */
function eventInCalendar(text: string, uid: string): StoredBlock | null {
  const lines = text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  let current: Map<string, string> | null = null;
  for (const line of lines) {
    if (line === "BEGIN:VEVENT") current = new Map();
    else if (line === "END:VEVENT" && current) {
      if (current.get("UID") === uid) {
        return {
          title: (current.get("SUMMARY") ?? "").replace(/\\([,;\\])/g, "$1").replace(/\\n/g, "\n"),
          start: fromIcalUtc(current.get("DTSTART") ?? ""),
          end: fromIcalUtc(current.get("DTEND") ?? ""),
        };
      }
      current = null;
    } else if (current) {
      const colon = line.indexOf(":");
      if (colon > 0) current.set(line.slice(0, colon).split(";")[0] ?? "", line.slice(colon + 1));
    }
  }
  return null;
}

const caldav: ConnectorSubject = {
  connector: caldavConnector,
  deletions: "snapshot",
  skip: skipWithoutRadicale(),
  async start() {
    // One Radicale for the suite, one account (with its own calendar) per sandbox; the connector reaches it
    // through a proxy that can answer 429 on cue, which Radicale itself never does.
    const radicale = await startRadicale();
    const proxy = await startFaultProxy(radicale.url).catch(async (error: unknown) => {
      await radicale.stop();
      throw error;
    });
    return {
      async open() {
        const account = await radicale.addAccount("Conformance");
        const authorization = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString("base64")}`;
        const objectUrl = (uid: string) => `${account.calendarUrl}${encodeURIComponent(uid)}.ics`;
        const events = new Map<string, FeedEvent>();
        const put = async (event: FeedEvent) => {
          const response = await fetch(objectUrl(event.uid), {
            method: "PUT",
            headers: { Authorization: authorization, "Content-Type": "text/calendar; charset=utf-8" },
            body: vcalendar([event]),
          });
          await response.body?.cancel();
          if (response.status !== 201 && response.status !== 204)
            throw new Error(`PUT ${event.uid} answered ${response.status}`);
          events.set(event.uid, event);
        };
        /** The server's copy of a calendar (Radicale answers GET on a collection with all its events). */
        const calendarText = async (calendarId: string) => {
          const direct = new URL(new URL(calendarId).pathname, radicale.url);
          const response = await fetch(direct, { headers: { Authorization: authorization } });
          const text = await response.text();
          if (!response.ok) throw new Error(`GET ${direct.pathname} answered ${response.status}`);
          return text;
        };
        return {
          credentials: { username: account.username, password: account.password },
          // Discovery from the server root: the account's only calendar is the one scope.
          settings: { serverUrl: proxy.url },
          pageSize: null,
          async seed(titles) {
            const seeded: Seeded[] = [];
            for (const [i, title] of titles.entries()) {
              const uid = `${randomUUID()}@conformance.test`;
              await put({ uid, title, ...slot(i) });
              seeded.push({ externalId: uid, title });
            }
            return seeded;
          },
          async rename(uid, title) {
            const event = events.get(uid);
            if (!event) throw new Error(`no seeded event ${uid}`);
            await put({ ...event, title, stamp: new Date().toISOString() });
          },
          async remove(uid) {
            const response = await fetch(objectUrl(uid), {
              method: "DELETE",
              headers: { Authorization: authorization },
            });
            await response.body?.cancel();
            if (!response.ok) throw new Error(`DELETE ${uid} answered ${response.status}`);
          },
          async revoke() {
            radicale.revokeAccount(account.username);
          },
          rateLimitNext(retryAfterSeconds) {
            proxy.faults.push({
              status: 429,
              retryAfterSeconds,
              match: new RegExp(` /${account.username}/`),
            });
          },
          async readBlock(calendarId, uid) {
            return eventInCalendar(await calendarText(calendarId), uid);
          },
          close: async () => {},
        };
      },
      async stop() {
        await proxy.close();
        await radicale.stop();
      },
    };
  },
};

const ics: ConnectorSubject = {
  connector: icsConnector,
  deletions: "snapshot",
  skip: false,
  start: perSandbox(async () => {
    const feed = await startIcsFeed();
    const events = new Map<string, FeedEvent>();
    return {
      credentials: {},
      settings: { url: feed.url },
      pageSize: null,
      async seed(titles) {
        return titles.map((title, i) => {
          const uid = `${randomUUID()}@conformance.test`;
          const event = { uid, title, ...slot(i) };
          events.set(uid, event);
          feed.put(event);
          return { externalId: uid, title };
        });
      },
      async rename(uid, title) {
        const event = events.get(uid);
        if (!event) throw new Error(`no seeded event ${uid}`);
        feed.put({ ...event, title });
      },
      async remove(uid) {
        feed.remove(uid);
      },
      rateLimitNext(retryAfterSeconds) {
        feed.failNext({ status: 429, retryAfterSeconds });
      },
      close: () => feed.close(),
    };
  }),
};

export const subjects: readonly ConnectorSubject[] = [notion, jira, google, caldav, ics];
