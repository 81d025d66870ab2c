/**
 * One conformance suite for the Jobs port, run on every adapter: the in-process queue always, BullMQ
 * when REDIS_URL is set. Each test owns a unique queue (and, on BullMQ, a unique key prefix) and closes
 * what it opens.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createBullmqJobs } from "../../engine/jobs/bullmq.ts";
import { createInProcessJobs } from "../../engine/jobs/in-process.ts";
import type { JobContext, Jobs } from "../../engine/jobs/index.ts";
import { backoffDelay, MAX_DEFERRALS } from "../../engine/jobs/policy.ts";
import { RetryLaterError, UnrecoverableJobError } from "../../engine/jobs/port.ts";
import { waitForDrainedQueue } from "../support/queues.ts";
import { redisUrl } from "../support/services.ts";

const REDIS_URL = redisUrl();
const runPrefix = `cairn-test-jobs-${randomUUID().slice(0, 8)}`;
let prefixes = 0;
const uniquePrefix = (): string => `${runPrefix}-${++prefixes}`;
const uniqueQueue = (): string => `q-${randomUUID().slice(0, 8)}`;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function jobsConformance(label: string, factory: () => Jobs, skip: string | false): void {
  describe(`Jobs conformance: ${label}`, { skip }, () => {
    let opened: Jobs[] = [];
    const open = (): Jobs => {
      const jobs = factory();
      opened.push(jobs);
      return jobs;
    };
    afterEach(async () => {
      await Promise.all(opened.map((jobs) => jobs.close(2000)));
      opened = [];
    });

    it("runs an enqueued job with its context", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const seen: JobContext<unknown>[] = [];
      jobs.handle(queue, async (job) => {
        await job.progress(50);
        seen.push(job);
      });
      await jobs.start();
      await jobs.ping();
      const id = await jobs.enqueue(queue, "greet", { who: "ada" });
      await waitFor("the job to run", () => seen.length === 1);
      const [job] = seen;
      assert.equal(job?.id, id);
      assert.equal(job?.queue, queue);
      assert.equal(job?.name, "greet");
      assert.deepEqual(job?.data, { who: "ada" });
      assert.equal(job?.attempt, 1);
      await waitFor("completed count", async () => (await jobs.counts(queue)).completed === 1);
    });

    it("honours delayMs", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let ranAt = 0;
      jobs.handle(queue, async () => {
        ranAt = Date.now();
      });
      await jobs.start();
      const enqueuedAt = Date.now();
      await jobs.enqueue(queue, "later", {}, { delayMs: 300 });
      assert.equal((await jobs.counts(queue)).delayed, 1);
      await waitFor("the delayed job to run", () => ranAt > 0);
      assert.ok(ranAt - enqueuedAt >= 280, `ran after ${ranAt - enqueuedAt} ms, expected >= 300`);
    });

    it("dedupes by jobId while waiting, and frees the id once the job finished", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const runs: { id: string; data: unknown }[] = [];
      jobs.handle(queue, async (job) => {
        runs.push({ id: job.id, data: job.data });
      });
      // Ids with ":" and integer-looking ids are legal in the port (BullMQ needs them escaped).
      assert.equal(await jobs.enqueue(queue, "sync", { v: 1 }, { jobId: "sync:ws-1" }), "sync:ws-1");
      assert.equal(await jobs.enqueue(queue, "sync", { v: 2 }, { jobId: "sync:ws-1" }), "sync:ws-1");
      assert.equal(await jobs.enqueue(queue, "sync", { v: 3 }, { jobId: "42" }), "42");
      assert.equal((await jobs.counts(queue)).waiting, 2);
      await jobs.start();
      await waitFor("both jobs to run", () => runs.length === 2);
      assert.deepEqual(
        runs.sort((a, b) => a.id.localeCompare(b.id)),
        [
          { id: "42", data: { v: 3 } },
          { id: "sync:ws-1", data: { v: 1 } },
        ],
      );
      await waitFor("completion", async () => (await jobs.counts(queue)).completed === 2);
      await jobs.enqueue(queue, "sync", { v: 4 }, { jobId: "sync:ws-1" });
      await waitFor("the re-enqueued job to run", () => runs.length === 3);
      assert.deepEqual(runs[2], { id: "sync:ws-1", data: { v: 4 } });
    });

    it("dedupes by jobId while the job is active", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let runs = 0;
      let release = (): void => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      jobs.handle(queue, async () => {
        runs += 1;
        await gate;
      });
      await jobs.start();
      await jobs.enqueue(queue, "busy", {}, { jobId: "busy" });
      await waitFor("the job to start", () => runs === 1);
      await jobs.enqueue(queue, "busy", {}, { jobId: "busy" });
      const counts = await jobs.counts(queue);
      assert.equal(counts.active, 1);
      assert.equal(counts.waiting + counts.delayed, 0);
      release();
      await waitFor("completion", async () => (await jobs.counts(queue)).completed === 1);
      // Drained: nothing left waiting, delayed or active that could run it again.
      await waitForDrainedQueue(jobs, queue);
      assert.equal(runs, 1);
    });

    it("with rerunIfActive, runs once more after an active job, coalescing further enqueues", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const seen: Array<{ id: string; data: unknown }> = [];
      let release = (): void => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      jobs.handle(queue, async (job) => {
        seen.push({ id: job.id, data: job.data });
        if (seen.length === 1) await gate;
      });
      await jobs.start();
      const options = { jobId: "sync-c1", rerunIfActive: true };
      assert.equal(await jobs.enqueue(queue, "sync", { v: 1 }, options), "sync-c1");
      await waitFor("the job to start", () => seen.length === 1);
      assert.equal(await jobs.enqueue(queue, "sync", { v: 2 }, options), "sync-c1~again");
      assert.equal(await jobs.enqueue(queue, "sync", { v: 3 }, options), "sync-c1~again");
      release();
      await waitFor("both runs", async () => (await jobs.counts(queue)).completed === 2);
      await waitForDrainedQueue(jobs, queue); // so no third run is queued
      assert.deepEqual(seen, [
        { id: "sync-c1", data: { v: 1 } },
        { id: "sync-c1~again", data: { v: 2 } },
      ]);
    });

    it("retries with exponential backoff, then lists the job as failed", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const tries: { attempt: number; at: number }[] = [];
      jobs.handle(queue, async (job) => {
        tries.push({ attempt: job.attempt, at: Date.now() });
        throw new Error(`boom ${job.attempt}`);
      });
      await jobs.start();
      const id = await jobs.enqueue(queue, "flaky", { n: 7 }, { attempts: 3, backoffMs: 100 });
      await waitFor("the job to fail", async () => (await jobs.failed(queue)).length === 1);
      assert.deepEqual(
        tries.map((t) => t.attempt),
        [1, 2, 3],
      );
      const [t1, t2, t3] = tries.map((t) => t.at);
      assert.ok(t1 !== undefined && t2 !== undefined && t3 !== undefined);
      // base * 2^(try-1) plus up to 25%: 100-125 ms, then 200-250 ms (loose upper bounds for slow CI).
      assert.ok(t2 - t1 >= 95 && t2 - t1 < 1000, `first backoff ${t2 - t1} ms`);
      assert.ok(t3 - t2 >= 195 && t3 - t2 < 1500, `second backoff ${t3 - t2} ms`);
      const [failed] = await jobs.failed(queue);
      assert.equal(failed?.id, id);
      assert.equal(failed?.queue, queue);
      assert.equal(failed?.name, "flaky");
      assert.deepEqual(failed?.data, { n: 7 });
      assert.equal(failed?.error, "boom 3");
      assert.equal(failed?.attempts, 3);
      assert.ok(!Number.isNaN(Date.parse(failed?.failedAt ?? "")));
      const counts = await jobs.counts(queue);
      assert.equal(counts.failed, 1);
      assert.equal(counts.completed, 0);
    });

    it("fails at once on UnrecoverableJobError", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let tries = 0;
      jobs.handle(queue, async () => {
        tries += 1;
        throw new UnrecoverableJobError("token revoked");
      });
      await jobs.start();
      await jobs.enqueue(queue, "sync", {}, { attempts: 5, backoffMs: 10 });
      await waitFor("the job to fail", async () => (await jobs.failed(queue)).length === 1);
      await waitForDrainedQueue(jobs, queue); // so no retry is scheduled
      assert.equal(tries, 1);
      const [failed] = await jobs.failed(queue);
      assert.equal(failed?.error, "token revoked");
      assert.equal(failed?.attempts, 1);
    });

    it("retry() runs a failed job again with its data, and says false for an unknown id", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const runs: unknown[] = [];
      jobs.handle<{ n: number }>(queue, async (job) => {
        runs.push(job.data);
        if (runs.length === 1) throw new UnrecoverableJobError("first run fails");
      });
      await jobs.start();
      const id = await jobs.enqueue(queue, "sync", { n: 7 }, { attempts: 1 });
      await waitFor("the job to fail", async () => (await jobs.failed(queue)).length === 1);
      assert.equal(await jobs.retry(queue, "no-such-job"), false);
      assert.equal(await jobs.retry(queue, id), true);
      await waitFor("the retried job to run", () => runs.length === 2);
      await waitForDrainedQueue(jobs, queue);
      assert.deepEqual(runs, [{ n: 7 }, { n: 7 }]);
      assert.equal((await jobs.failed(queue)).length, 0);
      assert.equal(await jobs.retry(queue, id), false, "a job that succeeded is not failed any more");
    });

    it("retries after RetryLaterError's delay without consuming an attempt", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const tries: { attempt: number; at: number }[] = [];
      jobs.handle(queue, async (job) => {
        tries.push({ attempt: job.attempt, at: Date.now() });
        if (tries.length < 3) throw new RetryLaterError("429 from the API", 150);
      });
      await jobs.start();
      await jobs.enqueue(queue, "pull", {}, { attempts: 1, backoffMs: 10 });
      await waitFor("completion", async () => (await jobs.counts(queue)).completed === 1);
      assert.deepEqual(
        tries.map((t) => t.attempt),
        [1, 1, 1],
      );
      for (let i = 1; i < tries.length; i++) {
        const gap = (tries[i]?.at ?? 0) - (tries[i - 1]?.at ?? 0);
        assert.ok(gap >= 140, `deferral ${i} waited ${gap} ms, expected >= 150`);
      }
      assert.equal((await jobs.counts(queue)).failed, 0);
    });

    it(`counts a RetryLaterError as a failed try after ${MAX_DEFERRALS} deferrals`, async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let tries = 0;
      jobs.handle(queue, async () => {
        tries += 1;
        throw new RetryLaterError("still rate limited", 1);
      });
      await jobs.start();
      await jobs.enqueue(queue, "pull", {}, { attempts: 1 });
      await waitFor("the job to fail", async () => (await jobs.failed(queue)).length === 1);
      assert.equal(tries, MAX_DEFERRALS + 1);
      const [failed] = await jobs.failed(queue);
      assert.equal(failed?.error, "still rate limited");
      assert.equal(failed?.attempts, 1);
    });

    it("respects the concurrency limit", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let running = 0;
      let maxRunning = 0;
      jobs.handle(
        queue,
        async () => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await sleep(100);
          running -= 1;
        },
        { concurrency: 2 },
      );
      for (let i = 0; i < 6; i++) await jobs.enqueue(queue, "work", { i });
      await jobs.start();
      await waitFor("all six jobs", async () => (await jobs.counts(queue)).completed === 6);
      assert.equal(maxRunning, 2);
    });

    it("runs repeatable jobs until removeRepeat, one schedule per key", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      const runs: unknown[] = [];
      const runTimes: number[] = [];
      let laterJobRan = false;
      jobs.handle(queue, async (job) => {
        if (job.name === "later") {
          laterJobRan = true;
          return;
        }
        runs.push(job.data);
        runTimes.push(Date.now());
      });
      await jobs.start();
      await jobs.repeat(queue, "tick", { v: 1 }, { everyMs: 150, key: "heartbeat" });
      await jobs.repeat(queue, "tick", { v: 2 }, { everyMs: 150, key: "heartbeat" });
      await waitFor("three runs", () => runs.length >= 3, 3000);
      await waitFor(
        "the replaced data",
        () => runs.at(-1) !== undefined && (runs.at(-1) as { v: number }).v === 2,
      );
      const windowStart = runs.length;
      await waitFor("seven more runs", () => runs.length >= windowStart + 7);
      // One schedule, not two: seven runs span six intervals (~900 ms); two schedules would fit them in ~450.
      const span = (runTimes[windowStart + 6] ?? 0) - (runTimes[windowStart] ?? 0);
      assert.ok(span >= 600, `seven runs within ${span} ms`);
      assert.equal(await jobs.removeRepeat(queue, "heartbeat"), true);
      await waitForDrainedQueue(jobs, queue); // a run already under way may finish
      const afterRemoval = runs.length;
      // A job due two intervals from now: a schedule still in place would run a tick before it.
      await jobs.enqueue(queue, "later", {}, { delayMs: 450 });
      await waitFor("the later job", () => laterJobRan);
      assert.equal(runs.length, afterRemoval, `ran ${runs.length - afterRemoval} times after removeRepeat`);
      assert.equal(await jobs.removeRepeat(queue, "heartbeat"), false);
    });

    it("close() waits for an active job to finish", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let started = false;
      let finished = false;
      jobs.handle(queue, async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      await jobs.start();
      await jobs.enqueue(queue, "slow", {});
      await waitFor("the job to start", () => started);
      await jobs.close(5000);
      assert.equal(finished, true);
    });

    it("close() gives up after its timeout", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      let started = false;
      jobs.handle(queue, async () => {
        started = true;
        await sleep(1500);
      });
      await jobs.start();
      await jobs.enqueue(queue, "stuck", {});
      await waitFor("the job to start", () => started);
      const closing = Date.now();
      await jobs.close(200);
      assert.ok(Date.now() - closing < 2000, `close took ${Date.now() - closing} ms`);
    });

    it("counts jobs by state", async () => {
      const jobs = open();
      const queue = uniqueQueue();
      assert.deepEqual(await jobs.counts(queue), {
        waiting: 0,
        delayed: 0,
        active: 0,
        completed: 0,
        failed: 0,
      });
      jobs.handle(queue, async (job) => {
        if (job.name === "bad") throw new UnrecoverableJobError("bad job");
      });
      await jobs.enqueue(queue, "good", {});
      await jobs.enqueue(queue, "good", {});
      await jobs.enqueue(queue, "bad", {});
      await jobs.enqueue(queue, "good", {}, { delayMs: 60_000 });
      assert.deepEqual(await jobs.counts(queue), {
        waiting: 3,
        delayed: 1,
        active: 0,
        completed: 0,
        failed: 0,
      });
      await jobs.start();
      await waitFor("the waiting jobs to finish", async () => (await jobs.counts(queue)).waiting === 0);
      await waitFor("settled counts", async () => {
        const counts = await jobs.counts(queue);
        return counts.completed === 2 && counts.failed === 1 && counts.active === 0;
      });
      assert.deepEqual(await jobs.counts(queue), {
        waiting: 0,
        delayed: 1,
        active: 0,
        completed: 2,
        failed: 1,
      });
    });
  });
}

describe("backoff policy", () => {
  it("doubles from the base with at most 25% jitter", () => {
    assert.equal(
      backoffDelay(1000, 1, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(1000, 2, () => 0),
      2000,
    );
    assert.equal(
      backoffDelay(1000, 3, () => 0),
      4000,
    );
    assert.equal(
      backoffDelay(1000, 3, () => 0.999999),
      5000,
    );
  });
});

jobsConformance("in-process", () => createInProcessJobs(), false);

jobsConformance(
  "bullmq",
  () => createBullmqJobs({ redisUrl: REDIS_URL ?? "", prefix: uniquePrefix() }),
  REDIS_URL ? false : "REDIS_URL not set",
);

describe("BullMQ adapter", () => {
  it("fails within 10 s with a message naming REDIS_URL when Redis is unreachable", async () => {
    // Needs no Redis: nothing listens on port 1.
    const jobs = createBullmqJobs({ redisUrl: "redis://cairn:s3cret-pw@127.0.0.1:1/0" });
    const began = Date.now();
    const check = (error: unknown): boolean => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /REDIS_URL/);
      assert.match(error.message, /127\.0\.0\.1:1/);
      assert.doesNotMatch(error.message, /s3cret-pw/);
      return true;
    };
    await Promise.all([
      assert.rejects(jobs.ping(), check),
      assert.rejects(jobs.enqueue("q", "job", {}), check),
    ]);
    assert.ok(Date.now() - began < 10_000, `failed after ${Date.now() - began} ms`);
    await jobs.close(100);
  });

  describe("with Redis", { skip: REDIS_URL ? false : "REDIS_URL not set" }, () => {
    after(async () => {
      // Remove every key this file created.
      const redis = new Redis(REDIS_URL ?? "");
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${runPrefix}*`, count: 1000 })) {
        keys.push(...(batch as string[]));
      }
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      await redis.quit();
    });

    it("recovers a job whose worker process was killed mid-job", async () => {
      const prefix = uniquePrefix();
      const queue = uniqueQueue();
      const fast = { lockDurationMs: 1000, stalledIntervalMs: 500 };
      const producer = createBullmqJobs({ redisUrl: REDIS_URL ?? "", prefix });
      const recovery = createBullmqJobs({ redisUrl: REDIS_URL ?? "", prefix, ...fast });
      try {
        await producer.enqueue(queue, "important", { keep: true }, { jobId: "survivor" });

        const script = `
          const { createBullmqJobs } = await import(process.env.JOBS_MODULE);
          const jobs = createBullmqJobs({
            redisUrl: process.env.JOBS_REDIS_URL, prefix: process.env.JOBS_PREFIX,
            lockDurationMs: ${fast.lockDurationMs}, stalledIntervalMs: ${fast.stalledIntervalMs},
          });
          jobs.handle(process.env.JOBS_QUEUE, async (job) => {
            process.stdout.write("started " + job.id + "\\n");
            await new Promise(() => {});
          });
          await jobs.start();
        `;
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
          env: {
            ...process.env,
            JOBS_MODULE: new URL("../../engine/jobs/bullmq.ts", import.meta.url).href,
            JOBS_REDIS_URL: REDIS_URL,
            JOBS_PREFIX: prefix,
            JOBS_QUEUE: queue,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.stderr.on("data", (chunk: Buffer) => {
          output += chunk.toString();
        });
        const exited = new Promise((resolve) => child.once("exit", resolve));
        await waitFor(
          `the child worker to take the job (output: ${output})`,
          () => output.includes("started survivor"),
          15_000,
        );
        child.kill("SIGKILL");
        await exited;
        assert.equal((await producer.counts(queue)).active, 1);

        const recovered: JobContext<unknown>[] = [];
        recovery.handle(queue, async (job) => {
          recovered.push(job);
        });
        await recovery.start();
        await waitFor("the stalled job to be recovered", () => recovered.length === 1, 10_000);
        assert.equal(recovered[0]?.id, "survivor");
        assert.deepEqual(recovered[0]?.data, { keep: true });
        await waitFor("completion", async () => (await producer.counts(queue)).completed === 1);
      } finally {
        await Promise.all([producer.close(2000), recovery.close(2000)]);
      }
    });
  });
});
