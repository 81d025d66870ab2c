/**
 * Nudges survive restarts and several workers: a nudge enqueued by one process whose queue closes before it
 * runs is sent exactly once after the restart, and two workers evaluating and delivering at the same time send
 * each nudge once. On PGlite with in-process queues (a restart loses the queue: the evaluator re-enqueues what
 * is still scheduled) and on Postgres with BullMQ (the delayed job waits in Redis).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { nudgesModule } from "../../bin/workers/nudges.ts";
import type { Actor } from "../../engine/actions/define.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { listNudgeRows, type StoredNudge } from "../../engine/db/repositories/nudges.ts";
import { createEngine, type Engine } from "../../engine/engine.ts";
import { createJobs } from "../../engine/jobs/index.ts";
import type { Jobs } from "../../engine/jobs/port.ts";
import { silentLogger } from "../../engine/logger.ts";
import { sweep } from "../../engine/nudges/scheduler.ts";
import { createSecretBox } from "../../engine/security/secret-box.ts";
import { backends, freshDb, type TestDb, testConfig } from "../support/harness.ts";
import { RecordingMessenger } from "../support/recording-messenger.ts";
import { redisUrl } from "../support/services.ts";

const MONDAY_9 = new Date("2026-03-16T09:00:00Z");

for (const backend of backends()) {
  describe(`nudges across restarts and workers (${backend.name})`, { skip: backend.skip }, () => {
    const config = testConfig();
    let store: TestDb;
    const open: Jobs[] = [];

    before(async () => {
      store = await freshDb(backend.db);
    });
    after(async () => {
      for (const jobs of open) await jobs.close(2_000).catch(() => {});
      await store?.drop();
    });

    /** One Cairn process on the shared database and (BullMQ) the shared queue prefix. */
    function node(prefix: string): { engine: Engine; jobs: Jobs; recorder: RecordingMessenger } {
      const jobs =
        backend.jobs === "bullmq"
          ? createJobs({ redisUrl: redisUrl(), prefix, logger: silentLogger })
          : createJobs({ logger: silentLogger });
      open.push(jobs);
      const recorder = new RecordingMessenger();
      const engine = createEngine({
        config,
        db: store.db,
        jobs,
        secrets: createSecretBox(Buffer.from(config.CAIRN_MASTER_KEY as string, "base64")),
        log: silentLogger,
        now: () => MONDAY_9,
        messenger: recorder,
      });
      return { engine, jobs, recorder };
    }

    async function personIn(engine: Engine, workspace: string): Promise<Actor> {
      const issued = await issueApiToken(store.db, { workspace, email: `${workspace}@acme.test` });
      const actor = { workspace: issued.workspace, person: issued.person };
      const day = [{ start: "09:00", end: "17:00" }];
      await engine.call(actor, "cli", "set_preferences", {
        timezone: "UTC",
        workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
      });
      return actor;
    }

    const rows = (engine: Engine, actor: Actor) =>
      engine.services.db.scoped(actor.workspace.id, (tx) =>
        listNudgeRows(tx, actor.person.id, { limit: 50 }),
      );

    async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const allSent = (list: StoredNudge[]) => list.length > 0 && list.every((n) => n.status === "sent");

    it("a nudge enqueued before a restart is sent exactly once after it", async () => {
      const prefix = `cairn-nudge-${randomUUID().slice(0, 8)}`;
      const first = node(prefix);
      await first.engine.prepare();
      const ada = await personIn(first.engine, `restart-${backend.db}`);
      // The evaluator records and enqueues the nudge; this process stops before any worker ran it.
      const decided = await sweep(first.engine.services, { workspaceId: ada.workspace.id });
      assert.equal(decided.scheduled, 1);
      await first.jobs.close(2_000);
      assert.equal(first.recorder.sent.length, 0);
      assert.equal((await rows(first.engine, ada))[0]?.status, "scheduled");

      const second = node(prefix);
      nudgesModule.installWorkers?.(second.engine, config, silentLogger);
      await second.jobs.start();
      // The sweep that runs when workers start: re-enqueues what is still scheduled (a no-op for a waiting job).
      await sweep(second.engine.services, { workspaceId: ada.workspace.id });
      await waitUntil(async () => allSent(await rows(second.engine, ada)), "the nudge to be sent");
      await sweep(second.engine.services, { workspaceId: ada.workspace.id });
      await waitUntil(async () => (await second.jobs.counts("nudges")).active === 0, "no running job");
      assert.equal(second.recorder.sent.length, 1, "sent exactly once");
      assert.equal(second.recorder.sent[0]?.to.personId, ada.person.id);
    });

    it("two workers evaluating and delivering at once send each nudge once", async () => {
      const prefix = `cairn-nudge-${randomUUID().slice(0, 8)}`;
      const workers = [node(prefix), node(prefix)];
      for (const worker of workers) {
        await worker.engine.prepare();
        nudgesModule.installWorkers?.(worker.engine, config, silentLogger);
      }
      const [one, two] = workers as [(typeof workers)[0], (typeof workers)[0]];
      const people = [
        await personIn(one.engine, `multi-${backend.db}-a`),
        await personIn(one.engine, `multi-${backend.db}-b`),
      ];
      await Promise.all(workers.map((worker) => worker.jobs.start()));
      await Promise.all(
        workers.flatMap((worker) =>
          people.map((p) => sweep(worker.engine.services, { workspaceId: p.workspace.id })),
        ),
      );
      for (const p of people) {
        await waitUntil(async () => allSent(await rows(one.engine, p)), "every nudge to be sent");
      }
      await Promise.all(
        workers.map((worker) =>
          waitUntil(async () => (await worker.jobs.counts("nudges")).active === 0, "no running job"),
        ),
      );
      const sent = [...one.recorder.sent, ...two.recorder.sent];
      assert.equal(sent.length, people.length, "one morning plan per person, from either worker");
      assert.deepEqual(sent.map((s) => s.to.personId).sort(), people.map((p) => p.person.id).sort());
    });
  });
}
