/**
 * What a connection may reach and what it shows, over the HTTP actions API: non-HTTP schemes refused at
 * connect, a redirect to a blocked address refused at sync, and credentials inside URLs never shown to
 * members, in logs or by `cairn config`, and stored encrypted.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { createLogger } from "../../engine/logger.ts";
import { getSyncService } from "../../engine/sync/service.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

interface Target {
  server: Server;
  url: string;
  hits: IncomingMessage[];
}

async function listen(
  host: string,
  handler: (request: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<Target> {
  const hits: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    hits.push(request);
    const { status, headers = {}, body = "" } = handler(request);
    response.writeHead(status, headers);
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}`, hits };
}

const close = (target: Target | undefined) =>
  target ? new Promise((resolve) => target.server.close(resolve)) : Promise.resolve();

const FEED = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "END:VCALENDAR", ""].join("\r\n");

type Connection = { id: string; lastError: string | null; sourceUrl: string | null; status: string };

describe("connect_* refuse non-HTTP schemes, naming the field, storing nothing", () => {
  let cairn: TestCairn;
  before(async () => {
    cairn = await startTestCairn();
  });
  after(async () => {
    await cairn?.close();
  });

  const cases: { action: string; field: string; input: (url: string) => Record<string, unknown> }[] = [
    { action: "connect_notion", field: "apiUrl", input: (url) => ({ token: "ntn_x", apiUrl: url }) },
    {
      action: "connect_notion",
      field: "settings.apiUrl",
      input: (url) => ({ token: "ntn_x", settings: { apiUrl: url } }),
    },
    {
      action: "connect_jira",
      field: "host",
      input: (url) => ({ host: url, email: "a@example.com", apiToken: "t" }),
    },
    {
      action: "connect_jira",
      field: "settings.host",
      input: (url) => ({ email: "a@example.com", apiToken: "t", settings: { host: url } }),
    },
    {
      action: "connect_google",
      field: "apiUrl",
      input: (url) => ({ clientId: "c", clientSecret: "s", refreshToken: "r", apiUrl: url }),
    },
    {
      action: "connect_google",
      field: "tokenUrl",
      input: (url) => ({ clientId: "c", clientSecret: "s", refreshToken: "r", tokenUrl: url }),
    },
    { action: "connect_caldav", field: "url", input: (url) => ({ url, username: "u", password: "p" }) },
    { action: "connect_ics", field: "urls", input: (url) => ({ urls: [url] }) },
    {
      action: "connect_ics",
      field: "settings.url",
      input: (url) => ({ urls: ["https://example.com/a.ics"], settings: { url } }),
    },
  ];

  for (const { action, field, input } of cases) {
    it(`${action} refuses file:, gopher:, ftp: and data: in ${field}`, async () => {
      const admin = await cairn.token({ admin: true });
      for (const url of [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://example.com/x",
        "data:text/plain,hi",
      ]) {
        const response = await cairn.call(admin.token, action, input(url));
        const body = (response.body as { error: { code?: string; issues?: { path: string }[] } }).error;
        assert.equal(response.status, 400, `${url}: ${JSON.stringify(body)}`);
        assert.equal(body.code, "invalid_input");
        assert.ok(
          body.issues?.some((issue) => issue.path.startsWith(field)),
          `${url}: the error names ${field}: ${JSON.stringify(body)}`,
        );
      }
      const listed = await cairn.call(admin.token, "list_connections", {});
      assert.deepEqual((listed.body as { connections: unknown[] }).connections, []);
    });
  }

  it("connect_ics still accepts webcal:// (as https)", async () => {
    const admin = await cairn.token({ admin: true });
    const response = await cairn.call(admin.token, "connect_ics", {
      urls: ["webcal://93.184.216.34/team.ics"],
      syncEveryMinutes: 0,
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });
});

describe("a feed that redirects to a blocked address", () => {
  let cairn: TestCairn;
  let inside: Target;
  let feed: Target;
  before(async () => {
    inside = await listen("127.0.0.1", () => ({ status: 200, body: FEED }));
    feed = await listen("127.0.0.2", () => ({
      status: 302,
      headers: { location: `${inside.url}/internal.ics` },
    }));
    cairn = await startTestCairn({
      env: { CAIRN_ALLOW_PRIVATE_URLS: "0", CAIRN_ALLOWED_PRIVATE_NETWORKS: "127.0.0.2/32" },
    });
  });
  after(async () => {
    await cairn?.close();
    await close(inside);
    await close(feed);
  });

  it("is refused at sync, recorded in lastError, and the blocked host is never reached", async () => {
    const admin = await cairn.token({ admin: true });
    const direct = await cairn.call(admin.token, "connect_ics", { urls: [`${inside.url}/x.ics`] });
    assert.equal(direct.status, 400, "127.0.0.1 is not on the allow-list");
    const connected = await cairn.call(admin.token, "connect_ics", {
      urls: [`${feed.url}/team.ics`],
      syncEveryMinutes: 0,
    });
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    const id = (connected.body as Connection).id;
    const synced = await cairn.call(admin.token, "sync_now", { connection: id });
    const results = JSON.stringify(synced.body);
    assert.equal(feed.hits.length, 1, "the allowed host was asked");
    assert.equal(inside.hits.length, 0, `the redirect target was never reached: ${results}`);
    assert.match(results, /127\.0\.0\.1/);
    const listed = await cairn.call(admin.token, "list_connections", {});
    const record = (listed.body as { connections: Connection[] }).connections.find((c) => c.id === id);
    assert.match(record?.lastError ?? "", /private, loopback or reserved address/);
  });
});

for (const backend of backends()) {
  describe(`credentials inside URLs (${backend.name})`, { skip: backend.skip }, () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    let cairn: TestCairn;
    let feed: Target;
    before(async () => {
      feed = await listen("127.0.0.1", (request) =>
        request.headers.authorization === `Basic ${Buffer.from("alice:hunter2-pw").toString("base64")}`
          ? { status: 404, body: "gone" }
          : { status: 401, body: "who?" },
      );
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        log: createLogger("debug", capture),
      });
    });
    after(async () => {
      await cairn?.close();
      await close(feed);
    });

    const secrets = ["hunter2-pw", "s3cr3t-t0ken", "0123456789abcdef0123456789abcdef"];

    it("a member never sees them, logs never carry them, and the stored settings hold only the redacted form", async () => {
      const admin = await cairn.token({ admin: true });
      const member = await cairn.token({ workspace: admin.workspace.slug });
      const url = `http://alice:hunter2-pw@${new URL(feed.url).host}/calendar/private-0123456789abcdef0123456789abcdef/basic.ics?token=s3cr3t-t0ken&tz=UTC`;
      const connected = await cairn.call(admin.token, "connect_ics", { urls: [url], syncEveryMinutes: 0 });
      assert.equal(connected.status, 200, JSON.stringify(connected.body));
      const id = (connected.body as Connection).id;
      await cairn.call(admin.token, "sync_now", { connection: id });
      assert.equal(feed.hits.length, 1, "the feed was asked once, with the URL's credentials as Basic auth");
      assert.ok(feed.hits[0]?.url?.includes("token=s3cr3t-t0ken"), "the real URL is what is fetched");

      const listed = await cairn.call(member.token, "list_connections", {});
      assert.equal(listed.status, 200);
      const record = (listed.body as { connections: Connection[] }).connections.find((c) => c.id === id);
      assert.ok(record?.lastError, "the failed sync is reported");
      assert.match(record?.sourceUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/\*\*\*$/);
      const logged = lines.join("");
      assert.match(logged, /sync failed/);
      for (const secret of secrets) {
        assert.ok(!JSON.stringify(listed.body).includes(secret), `list_connections shows ${secret}`);
        assert.ok(!logged.includes(secret), `the log shows ${secret}`);
      }

      const stored = await cairn.engine.services.db.system((tx) =>
        tx.query<{ settings: unknown; sealed: string | null }>(
          "SELECT settings::text AS settings, settings_secret_encrypted AS sealed FROM connections WHERE id = $1",
          [id],
        ),
      );
      const row = stored.rows[0];
      assert.ok(row?.sealed, "the feed URL is stored sealed");
      for (const secret of [...secrets, "/calendar/"])
        assert.ok(!String(row?.settings).includes(secret), secret);
    });

    it("an ICS URL stored in plain before this release is sealed at start and keeps syncing", async () => {
      const admin = await cairn.token({ admin: true });
      const url = `${feed.url}/legacy.ics?key=legacy-key-123`;
      const connected = await cairn.call(admin.token, "connect_ics", { urls: [url], syncEveryMinutes: 0 });
      const id = (connected.body as Connection).id;
      // As an older Cairn stored it: the URL in plain settings, nothing sealed.
      await cairn.engine.services.db.system((tx) =>
        tx.query(
          "UPDATE connections SET settings = jsonb_set(settings, '{url}', to_jsonb($2::text)), settings_secret_encrypted = NULL WHERE id = $1",
          [id, url],
        ),
      );
      await getSyncService(cairn.engine.services).scheduleAll();
      const stored = await cairn.engine.services.db.system((tx) =>
        tx.query<{ settings: string; sealed: string | null }>(
          "SELECT settings::text AS settings, settings_secret_encrypted AS sealed FROM connections WHERE id = $1",
          [id],
        ),
      );
      assert.ok(stored.rows[0]?.sealed);
      assert.ok(!stored.rows[0]?.settings.includes("legacy-key-123"));
      const before = feed.hits.length;
      await cairn.call(admin.token, "sync_now", { connection: id });
      assert.equal(feed.hits.length, before + 1);
      assert.equal(
        feed.hits.at(-1)?.url,
        "/legacy.ics?key=legacy-key-123",
        "the sealed URL is the one fetched",
      );
    });
  });
}

describe("cairn config", () => {
  it("shows URLs with their credentials redacted", async () => {
    const cli = new URL("../../bin/cairn.js", import.meta.url).pathname;
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !/^(DATABASE_URL|REDIS_URL|NOTION_|JIRA_|GOOGLE_|CALDAV_|ICS_|CAIRN_)/.test(key),
      ),
    );
    const env = {
      ...clean,
      CAIRN_LOG_LEVEL: "silent",
      CALDAV_URL: "https://u:caldav-pa55@dav.example.com/dav/",
      JIRA_HOST: "https://bot:jira-pa55@acme.atlassian.net",
      ICS_URLS: "https://calendar.example.com/feed.ics?token=ics-t0ken,https://ok.example.com/a.ics",
    };
    const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [cli, "config"], { env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
        });
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      },
    );
    assert.equal(output.code, 0, output.stderr);
    for (const secret of ["caldav-pa55", "jira-pa55", "ics-t0ken"]) {
      assert.ok(!output.stdout.includes(secret), `cairn config shows ${secret}`);
      assert.ok(!output.stderr.includes(secret), `cairn config shows ${secret}`);
    }
    assert.match(output.stdout, /https:\/\/\*\*\*:\*\*\*@dav\.example\.com\/dav\//);
    assert.match(output.stdout, /token=\*\*\*/);
  });
});
