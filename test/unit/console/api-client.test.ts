import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  ApiClient,
  ApiError,
  CSRF_HEADER,
  type FetchLike,
  query,
} from "../../../admin/console/src/lib/api.ts";

interface Seen {
  url: string;
  method: string;
  csrf: string | undefined;
  body: string | undefined;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A fake server: answers from a queue of handlers and records each request. */
function fakeServer(handlers: ((seen: Seen) => Response)[]) {
  const seen: Seen[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    const headers = new Headers(init?.headers);
    const request: Seen = {
      url,
      method: init?.method ?? "GET",
      csrf: headers.get(CSRF_HEADER) ?? undefined,
      body: typeof init?.body === "string" ? init.body : undefined,
    };
    seen.push(request);
    const handler = handlers.shift();
    if (!handler) throw new Error(`unexpected request ${request.method} ${url}`);
    return handler(request);
  };
  return { seen, fetchImpl };
}

const session = (csrfToken: string) => ({
  user: { email: "ada@example.com", role: "owner", workspace: { id: "w", slug: "demo", name: "Demo" } },
  csrfToken,
});

describe("console API client", () => {
  it("sends the CSRF token on state-changing requests only", async () => {
    const server = fakeServer([() => json(200, { ok: 1 }), () => json(200, { ok: 2 })]);
    const client = new ApiClient(server.fetchImpl);
    client.csrfToken = "t1";
    await client.request(z.unknown(), "/admin/api/overview");
    await client.action(z.unknown(), "sync_now", { wait: true });
    assert.equal(server.seen[0]?.csrf, undefined, "a GET carries no token");
    assert.equal(server.seen[1]?.csrf, "t1");
    assert.equal(server.seen[1]?.url, "/api/actions/sync_now");
    assert.equal(server.seen[1]?.body, JSON.stringify({ wait: true }));
  });

  it("reads a fresh token and retries once when the server refuses a stale one", async () => {
    const server = fakeServer([
      () => json(403, { title: "CSRF token missing or wrong", detail: "sign in again" }),
      () => json(200, session("t2")),
      (seen) => json(200, { token: seen.csrf }),
    ]);
    const client = new ApiClient(server.fetchImpl);
    client.csrfToken = "stale";
    const answer = await client.action(z.object({ token: z.string() }), "create_token", { name: "x" });
    assert.deepEqual(answer, { token: "t2" });
    assert.equal(client.csrfToken, "t2");
    assert.deepEqual(
      server.seen.map((s) => `${s.method} ${s.url}`),
      ["POST /api/actions/create_token", "GET /admin/api/session", "POST /api/actions/create_token"],
    );
  });

  it("does not retry when the session's token is the one just refused", async () => {
    const server = fakeServer([
      () => json(403, { title: "CSRF token missing or wrong" }),
      () => json(200, session("same")),
    ]);
    const client = new ApiClient(server.fetchImpl);
    client.csrfToken = "same";
    await assert.rejects(client.action(z.unknown(), "revoke_token", { id: "x" }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 403);
      return true;
    });
    assert.equal(server.seen.length, 2);
  });

  it("turns a problem+json refusal into an ApiError with its title, detail and extra fields", async () => {
    const server = fakeServer([
      () => json(401, { title: "Sign in first", detail: "no session", setupAvailable: true }),
    ]);
    const client = new ApiClient(server.fetchImpl);
    await assert.rejects(client.request(z.unknown(), "/admin/api/session"), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      assert.equal(error.message, "Sign in first: no session");
      assert.equal(error.problem?.setupAvailable, true);
      return true;
    });
  });

  it("reports an answer that breaks the contract, naming the path and the field", async () => {
    const server = fakeServer([() => json(200, { items: "nope" })]);
    const client = new ApiClient(server.fetchImpl);
    await assert.rejects(
      client.request(z.object({ items: z.array(z.string()) }), "/admin/api/audit"),
      /unexpected shape: \/admin\/api\/audit: items/,
    );
  });

  it("accepts an empty 204 answer", async () => {
    const server = fakeServer([() => new Response(null, { status: 204 })]);
    const client = new ApiClient(server.fetchImpl);
    client.csrfToken = "t";
    assert.equal(await client.request(z.unknown(), "/admin/api/session", { method: "DELETE" }), undefined);
    assert.equal(server.seen[0]?.csrf, "t");
  });

  it("builds query strings from the values that are set", () => {
    assert.equal(
      query({ actor: "ada@example.com", action: "", cursor: null, limit: 25 }),
      "?actor=ada%40example.com&limit=25",
    );
    assert.equal(query({ cursor: undefined }), "");
  });
});
