/**
 * A claimed Idempotency-Key whose process died stops blocking retries after CLAIM_STALE_MS (45 s), while a
 * request that is still running keeps its claim by renewing it: a retry gets 409 as long as the first request
 * lives, and takes the key over once it has not been heard from for CLAIM_STALE_MS. Found by the scale-out
 * harness (test/e2e/scale-out): a web process killed mid-request used to hold its keys for ten minutes.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { migrate } from "../../engine/db/migrate.ts";
import {
  CLAIM_RENEW_MS,
  CLAIM_STALE_MS,
  claimIdempotencyKey,
  renewIdempotencyClaim,
} from "../../engine/db/repositories/idempotency.ts";
import { backends, freshDb, type TestDb } from "../support/harness.ts";

for (const backend of backends()) {
  describe(`stale Idempotency-Key claims (${backend.name})`, { skip: backend.skip }, () => {
    let store: TestDb;
    let workspaceId: string;

    before(async () => {
      store = await freshDb(backend.db);
      await migrate(store.db);
      workspaceId = (await issueApiToken(store.db, { workspace: "stale-claims", email: "a@stale.test" }))
        .workspace.id;
    });
    after(async () => {
      await store?.drop();
    });

    const at = (start: Date, ms: number) => new Date(start.getTime() + ms);
    const claim = (scope: { workspaceId: string; principal: string; key: string }, now: Date) =>
      store.db.scoped(workspaceId, (tx) =>
        claimIdempotencyKey(
          tx,
          scope,
          { action: "create_task", requestHash: "h" },
          { now, expiresAt: at(now, 86_400_000), staleBefore: at(now, -CLAIM_STALE_MS) },
        ),
      );

    it("a renewed claim holds; one not renewed for CLAIM_STALE_MS is taken over", async () => {
      assert.ok(CLAIM_RENEW_MS * 3 < CLAIM_STALE_MS, "a claim is renewed several times before it goes stale");
      const start = new Date("2026-03-16T09:00:00Z");
      const scope = { workspaceId, principal: "token:t", key: `http:${randomUUID()}` };
      assert.equal((await claim(scope, start)).kind, "claimed");
      // The first request still runs and renews its claim every CLAIM_RENEW_MS.
      for (let beat = 1; beat <= 6; beat++) {
        const now = at(start, beat * CLAIM_RENEW_MS);
        await store.db.scoped(workspaceId, (tx) => renewIdempotencyClaim(tx, scope, now));
        assert.equal((await claim(scope, at(now, 1_000))).kind, "running", `beat ${beat}`);
      }
      // Its process dies: no more renewals. Just before CLAIM_STALE_MS it still holds, just after it is free.
      const lastBeat = at(start, 6 * CLAIM_RENEW_MS);
      assert.equal((await claim(scope, at(lastBeat, CLAIM_STALE_MS - 1_000))).kind, "running");
      assert.equal((await claim(scope, at(lastBeat, CLAIM_STALE_MS + 1_000))).kind, "claimed");
    });
  });
}
