import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../engine/logger.ts";
import { redactSecrets, redactUrl, urlCarriesSecret } from "../../engine/security/redact.ts";
import { splitSecretSettings } from "../../engine/sync/secret-settings.ts";

describe("redacting credentials inside URLs", () => {
  it("hides userinfo, secret-looking parameters and feed keys, and keeps the rest readable", () => {
    assert.equal(redactUrl("https://u:p4ss@dav.example.com/dav/"), "https://***:***@dav.example.com/dav/");
    assert.equal(redactUrl("https://TOKEN123@git.example.com/x"), "https://***@git.example.com/x");
    assert.equal(
      redactUrl("https://ex.com/feed.ics?Token=abc&tz=UTC&api_key=k&X-Amz-Signature=s&accessToken=t"),
      "https://ex.com/feed.ics?Token=***&tz=UTC&api_key=***&X-Amz-Signature=***&accessToken=***",
    );
    assert.equal(
      redactUrl("https://calendar.google.com/calendar/ical/me%40gmail.com/private-0a1b2c3d4e5f/basic.ics"),
      "https://calendar.google.com/calendar/ical/me%40gmail.com/***/basic.ics",
    );
    assert.equal(
      redactUrl("https://p12-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9w"),
      "https://p12-caldav.icloud.com/published/2/***",
    );
    // Ids of ordinary length (UUIDs, Notion ids) are not secrets.
    const plain = "https://api.notion.com/v1/pages/0d4f7a3c-8a0e-4a8e-9d2b-1b2c3d4e5f60?page_size=100";
    assert.equal(redactUrl(plain), plain);
    assert.equal(urlCarriesSecret(plain), false);
    assert.equal(urlCarriesSecret("https://a:b@x.example/"), true);
    assert.equal(redactUrl("not a url"), "not a url");
  });

  it("redacts every URL inside a message and nothing else", () => {
    assert.equal(
      redactSecrets(
        'Sync failed: Request cannot be constructed from a URL that includes credentials: "http://bob:pw@h.example/a.ics?key=z". Retry.',
      ),
      'Sync failed: Request cannot be constructed from a URL that includes credentials: "http://***:***@h.example/a.ics?key=***". Retry.',
    );
    assert.equal(redactSecrets("no url here: 42"), "no url here: 42");
  });

  it("keeps secret settings out of the plain settings", () => {
    const { visible, secret } = splitSecretSettings(
      { url: "https://ex.com/cal/team.ics", name: "Team", serverUrl: "https://u:p@dav.example.com/" },
      ["url"],
    );
    assert.deepEqual(visible, {
      url: "https://ex.com/***",
      name: "Team",
      serverUrl: "https://***:***@dav.example.com/",
    });
    assert.deepEqual(secret, {
      url: "https://ex.com/cal/team.ics",
      serverUrl: "https://u:p@dav.example.com/",
    });
    const untouched = { host: "https://acme.atlassian.net", jql: "assignee = currentUser()" };
    assert.equal(splitSecretSettings(untouched).visible, untouched);
  });

  it("the logger redacts URLs in messages and in logged values, errors included", () => {
    const lines: string[] = [];
    const log = createLogger(
      "info",
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    log.child({ module: "sync" }).warn(
      {
        error: "Sync failed: http://u:hunter2@ex.com/a.ics",
        err: new Error("GET https://ex.com/x?access_token=abc123 failed"),
        nested: { urls: ["https://ex.com/?sig=zzz"] },
      },
      "sync of https://ex.com/?password=pw failed",
    );
    const text = lines.join("");
    for (const secret of ["hunter2", "abc123", "zzz", "password=pw"])
      assert.ok(!text.includes(secret), secret);
    assert.match(text, /\*\*\*/);
    assert.match(text, /sync of https:\/\/ex\.com\/\?password=\*\*\* failed/);
  });
});
