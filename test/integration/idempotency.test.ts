/**
 * Safe retries on POST /api/actions/:name with an Idempotency-Key: a retry with the same key and body answers
 * the first answer (status, body, Idempotent-Replayed: true) and changes nothing; the same key with another
 * body is 422; a duplicate while the first is running is 409 with Retry-After; 4xx answers are kept, 5xx are
 * not; keys are per token and expire after 24 hours. Runs on every backend.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { IDEMPOTENCY_TTL_MS } from "../../admin/api/idempotency.ts";
import { defineAction } from "../../engine/actions/define.ts";
import {
  claimIdempotencyKey,
  deleteExpiredIdempotencyKeys,
} from "../../engine/db/repositories/idempotency.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

/** Holds each run until the test releases it, so a duplicate can arrive while the first is running. */
const gate = {
  started: undefined as (() => void) | undefined,
  release: undefined as (() => void) | undefined,
  runs: 0,
};
const gated = defineAction({
  name: "idem_test_gated",
  title: "Gated",
  description: "Test only: waits until released, counting its runs.",
  input: z.object({ label: z.string() }),
  output: z.object({ label: z.string(), run: z.number() }),
  async run(_ctx, input) {
    const run = ++gate.runs;
    await new Promise<void>((resolve) => {
      gate.release = resolve;
      gate.started?.();
    });
    return { label: input.label, run };
  },
});

/** Fails (500) on its first run for a label, succeeds after. */
const failedOnce = new Set<string>();
const flaky = defineAction({
  name: "idem_test_flaky",
  title: "Flaky",
  description: "Test only: fails once per label, then answers.",
  input: z.object({ label: z.string() }),
  output: z.object({ label: z.string() }),
  async run(_ctx, input) {
    if (!failedOnce.has(input.label)) {
      failedOnce.add(input.label);
      throw new Error("a transient failure");
    }
    return { label: input.label };
  },
});

interface Answer {
  status: number;
  body: unknown;
  replayed: string | null;
  retryAfter: string | null;
}

for (const backend of backends()) {
  describe(`Idempotency-Key on the actions API (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let token: string;
    let other: string;
    let workspaceId: string;

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        startWorkers: false,
        extraActions: [gated, flaky],
      });
      const workspace = `idem-${randomUUID().slice(0, 8)}`;
      const issued = await cairn.token({ workspace, email: "ida@idem.test" });
      token = issued.token;
      workspaceId = issued.workspace.id;
      other = (await cairn.token({ workspace, email: "ole@idem.test" })).token;
    });
    after(async () => cairn?.close());

    const post = async (action: string, body: unknown, key?: string, as = token): Promise<Answer> => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${as}`,
        "content-type": "application/json",
      };
      if (key !== undefined) headers["idempotency-key"] = key;
      const response = await fetch(`${cairn.url}/api/actions/${action}`, {
        method: "POST",
        headers,
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return {
        status: response.status,
        body: await response.json(),
        replayed: response.headers.get("idempotent-replayed"),
        retryAfter: response.headers.get("retry-after"),
      };
    };

    const titled = async (title: string) => {
      const answer = await post("list_tasks", { limit: 200 });
      return (answer.body as { tasks: { title: string }[] }).tasks.filter((task) => task.title === title);
    };

    it("replays the first answer for a retry with the same key and body, and creates one task", async () => {
      const key = randomUUID();
      const first = await post("create_task", { title: "Pay the invoice", priority: 2 }, key);
      assert.equal(first.status, 200);
      assert.equal(first.replayed, null);
      // The same body with other key order and spacing is the same request.
      const retry = await post("create_task", '{ "priority": 2, "title": "Pay the invoice" }', key);
      assert.equal(retry.status, 200);
      assert.equal(retry.replayed, "true");
      assert.deepEqual(retry.body, first.body);
      assert.equal((await titled("Pay the invoice")).length, 1);
    });

    it("refuses the same key with another body or another action with 422 naming the header", async () => {
      const key = randomUUID();
      assert.equal((await post("create_task", { title: "Book the room" }, key)).status, 200);
      for (const [action, body] of [
        ["create_task", { title: "Book the bigger room" }],
        ["list_tasks", {}],
      ] as const) {
        const reused = await post(action, body, key);
        assert.equal(reused.status, 422);
        const error = (reused.body as { error: { code: string; message: string } }).error;
        assert.equal(error.code, "idempotency_key_reused");
        assert.match(error.message, /Idempotency-Key/);
      }
      assert.equal((await titled("Book the bigger room")).length, 0);
    });

    it("keeps keys per token: another person's same key is a new request", async () => {
      const key = randomUUID();
      assert.equal((await post("create_task", { title: "Water the plants" }, key)).status, 200);
      const theirs = await post("create_task", { title: "Water the plants" }, key, other);
      assert.equal(theirs.status, 200);
      assert.equal(theirs.replayed, null);
      // Both people are in one workspace: one task each.
      assert.equal((await titled("Water the plants")).length, 2);
    });

    it("refuses a key that is empty, too long or not printable with 400 naming the header", async () => {
      for (const key of ["", "k".repeat(256), "tab\tinside"]) {
        const answer = await post("create_task", { title: "Never made" }, key);
        assert.equal(answer.status, 400, JSON.stringify(key));
        const error = (answer.body as { error: { issues: { path: string }[] } }).error;
        assert.equal(error.issues[0]?.path, "Idempotency-Key");
      }
      assert.equal((await post("create_task", { title: "Long key ok" }, "k".repeat(255))).status, 200);
      assert.equal((await titled("Never made")).length, 0);
    });

    it("keeps a 4xx answer and replays it; does not keep a 5xx, so the retry runs", async () => {
      const key = randomUUID();
      const bad = await post("create_task", { title: "" }, key);
      assert.equal(bad.status, 400);
      const again = await post("create_task", { title: "" }, key);
      assert.equal(again.status, 400);
      assert.equal(again.replayed, "true");
      assert.deepEqual(again.body, bad.body);

      const flakyKey = randomUUID();
      const failed = await post("idem_test_flaky", { label: flakyKey }, flakyKey);
      assert.equal(failed.status, 500);
      const retried = await post("idem_test_flaky", { label: flakyKey }, flakyKey);
      assert.equal(retried.status, 200);
      assert.equal(retried.replayed, null);
      const replayed = await post("idem_test_flaky", { label: flakyKey }, flakyKey);
      assert.equal(replayed.replayed, "true");
      assert.deepEqual(replayed.body, { label: flakyKey });
    });

    it("answers a duplicate that arrives while the first is running with 409 and Retry-After, then replays", async () => {
      const key = randomUUID();
      const runsBefore = gate.runs;
      const started = new Promise<void>((resolve) => {
        gate.started = resolve;
      });
      const first = post("idem_test_gated", { label: "once" }, key);
      await started;
      const duplicate = await post("idem_test_gated", { label: "once" }, key);
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.retryAfter, "1");
      assert.match((duplicate.body as { error: { message: string } }).error.message, /still running/);
      gate.release?.();
      const answer = await first;
      assert.equal(answer.status, 200);
      const replay = await post("idem_test_gated", { label: "once" }, key);
      assert.equal(replay.replayed, "true");
      assert.deepEqual(replay.body, answer.body);
      assert.equal(gate.runs, runsBefore + 1);
    });

    it("forgets keys after 24 hours: the sweep removes them and the key can be used afresh", async () => {
      const key = randomUUID();
      assert.equal((await post("create_task", { title: "Renew the lease" }, key)).status, 200);
      const later = new Date(Date.now() + IDEMPOTENCY_TTL_MS + 60_000);
      const scope = { workspaceId, principal: "token:someone", key: `http:${key}` };
      const times = { now: new Date(), expiresAt: later, staleBefore: new Date(0) };
      await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        claimIdempotencyKey(tx, scope, { action: "x", requestHash: "h" }, times),
      );
      const swept = await cairn.engine.services.db.system((tx) => deleteExpiredIdempotencyKeys(tx, later));
      assert.ok(swept >= 2, `swept ${swept}`);
      const again = await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        claimIdempotencyKey(tx, scope, { action: "x", requestHash: "other" }, { ...times, now: later }),
      );
      assert.equal(again.kind, "claimed");
    });
  });
}
