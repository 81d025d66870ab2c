/**
 * With several web processes on one Redis (the production deployment), CAIRN_RATE_LIMIT_PER_MINUTE and
 * CAIRN_AUTH_FAILURES_PER_MINUTE hold for the deployment as a whole, not once per process; while Redis is down
 * each process still limits on its own and no request fails for it.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createJobs } from "../../engine/jobs/index.ts";
import { silentLogger } from "../../engine/logger.ts";
import { createRequestLimits } from "../../engine/security/rate-limiter.ts";
import { listTasksFrom } from "../support/forwarded-call.ts";
import { freshDb, startTestCairn, type TestCairn, type TestDb, testConfig } from "../support/harness.ts";
import { redisUrl, skipWithout } from "../support/services.ts";

const url = redisUrl();

describe("rate limits shared by every web process on one Redis", {
  skip: skipWithout(url, "REDIS_URL"),
}, () => {
  let db: TestDb;
  const webs: TestCairn[] = [];

  before(async () => {
    db = await freshDb("pglite");
    const jobsPrefix = `cairn-limits-${randomUUID().slice(0, 8)}`;
    const env = {
      CAIRN_RATE_LIMIT_PER_MINUTE: "4",
      CAIRN_AUTH_FAILURES_PER_MINUTE: "3",
      CAIRN_TRUST_PROXY: "1",
    };
    for (let i = 0; i < 2; i++) {
      webs.push(
        await startTestCairn({ sharedDb: db.db, jobs: "bullmq", jobsPrefix, startWorkers: false, env }),
      );
    }
  });
  after(async () => {
    for (const web of webs) await web.close();
    await db?.drop();
  });

  const listTasks = (web: TestCairn, token: string, from: string) => listTasksFrom(web.url, token, from);

  it("gives a token its calls per minute in all, whichever process answers", async () => {
    const [first, second] = webs as [TestCairn, TestCairn];
    const { token } = await first.token({ workspace: "limits-two", email: "ann@limits.test" });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await listTasks(i % 2 === 0 ? first : second, token, "198.51.100.20");
      statuses.push(response.status);
      if (response.status === 429) assert.ok(Number(response.headers.get("retry-after")) >= 1);
      await response.body?.cancel();
    }
    // Per process that would have been 4 + 4; shared, the fifth call is refused wherever it lands.
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
  });

  it("counts failed authentications from one address across processes", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await listTasks(webs[i % 2] as TestCairn, `cairn_wrong_${i}`, "198.51.100.21");
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });

  it("limits each process on its own while Redis cannot be reached, without failing a request", async () => {
    const jobs = createJobs({ redisUrl: "redis://127.0.0.1:1", logger: silentLogger, prefix: "unreachable" });
    try {
      const limits = createRequestLimits(
        testConfig({ CAIRN_RATE_LIMIT_PER_MINUTE: "2" }),
        jobs.sharedBuckets,
      );
      const waits = [
        await limits.calls.take("p"),
        await limits.calls.take("p"),
        await limits.calls.take("p"),
      ];
      assert.deepEqual(
        waits.map((wait) => wait > 0),
        [false, false, true],
      );
    } finally {
      await jobs.close(1_000);
    }
  });
});
