/**
 * The console's pages and assets from a (tiny, fake) build: / redirects to /admin, every browser route
 * gets index.html without caching, hashed assets come compressed (brotli or gzip, as accepted) with
 * year-long immutable caching, the API's unknown paths stay JSON, and a missing build says to build it.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { startTestCairn, type TestCairn } from "../support/harness.ts";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/admin/assets/app-1a2b3c.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.info(${JSON.stringify("Cairn console ".repeat(200))});\n`;

/** A raw GET (fetch would undo the Content-Encoding): status, headers and the bytes as sent. */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Console pages and assets", () => {
  let dist: string;
  let cairn: TestCairn;
  let unbuilt: TestCairn;

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), "cairn-console-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), INDEX);
    writeFileSync(join(dist, "assets", "app-1a2b3c.js"), SCRIPT);
    writeFileSync(join(dist, "favicon.svg"), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    cairn = await startTestCairn({ startWorkers: false, console: { distDir: dist } });
    unbuilt = await startTestCairn({ startWorkers: false, console: { distDir: join(dist, "missing") } });
  });
  after(async () => {
    await cairn?.close();
    await unbuilt?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("redirects / to /admin", async () => {
    const root = await rawGet(`${cairn.url}/`);
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, "/admin");
  });

  it("serves index.html for /admin and every page under it, never cached", async () => {
    for (const path of ["/admin", "/admin/", "/admin/people", "/admin/plans/someone?week=2026-W10"]) {
      const page = await rawGet(`${cairn.url}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(String(page.headers["content-type"]), /text\/html/);
      assert.equal(page.headers["cache-control"], "no-cache", path);
      assert.equal(page.body.toString(), INDEX, path);
      assert.match(String(page.headers["content-security-policy"]), /script-src 'self'/);
    }
    const icon = await rawGet(`${cairn.url}/admin/favicon.svg`);
    assert.match(String(icon.headers["content-type"]), /image\/svg\+xml/);
  });

  it("serves hashed assets compressed as accepted, with immutable caching", async () => {
    const url = `${cairn.url}/admin/assets/app-1a2b3c.js`;
    const br = await rawGet(url, { "accept-encoding": "gzip, deflate, br" });
    assert.equal(br.status, 200);
    assert.equal(br.headers["content-encoding"], "br");
    assert.equal(br.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.match(String(br.headers.vary), /Accept-Encoding/);
    assert.match(String(br.headers["content-type"]), /javascript/);
    assert.equal(brotliDecompressSync(br.body).toString(), SCRIPT);
    assert.ok(br.body.length < SCRIPT.length / 4, "compressed");

    const gzip = await rawGet(url, { "accept-encoding": "gzip" });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(gzip.body).toString(), SCRIPT);

    const plain = await rawGet(url, { "accept-encoding": "identity" });
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body.toString(), SCRIPT);

    const missing = await rawGet(`${cairn.url}/admin/assets/app-old.js`);
    assert.equal(missing.status, 404);
  });

  it("keeps unknown console API paths JSON, not the page", async () => {
    const api = await rawGet(`${cairn.url}/admin/api/nothing-here`);
    assert.equal(api.status, 404);
    assert.match(String(api.headers["content-type"]), /application\/json/);
    assert.equal(typeof JSON.parse(api.body.toString()).detail, "string");
  });

  it("answers 503 with what to run when the console is not built", async () => {
    const page = await rawGet(`${unbuilt.url}/admin`);
    assert.equal(page.status, 503);
    assert.match(page.body.toString(), /npm run build/);
    const session = await rawGet(`${unbuilt.url}/admin/api/session`);
    assert.equal(session.status, 401, "the API works without the build");
  });
});
