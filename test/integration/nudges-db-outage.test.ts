/**
 * A nudge whose message went out while the database went away is recorded as sent once the database is back,
 * and is not sent again: recording the send is retried (engine/db/when-reachable.ts) instead of counting as a
 * failed try, which used to put the nudge back to scheduled so that the job's next try sent it a second time.
 * Found by the scale-out harness (test/e2e/scale-out), which restarts PostgreSQL under nudge traffic.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../../engine/actions/define.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { migrate } from "../../engine/db/migrate.ts";
import type { Db } from "../../engine/db/port.ts";
import { claimNudge, listNudgeRows } from "../../engine/db/repositories/nudges.ts";
import { createEngine, type Engine } from "../../engine/engine.ts";
import { createJobs } from "../../engine/jobs/index.ts";
import { silentLogger } from "../../engine/logger.ts";
import type { Message } from "../../engine/messaging/message.ts";
import type { MessageDelivery, MessageRecipient } from "../../engine/messaging/messenger.ts";
import { CLAIM_LEASE_MS, deliverNudge } from "../../engine/nudges/deliver.ts";
import { sweep } from "../../engine/nudges/scheduler.ts";
import { createSecretBox } from "../../engine/security/secret-box.ts";
import { backends, freshDb, type TestDb, testConfig } from "../support/harness.ts";
import { RecordingMessenger } from "../support/recording-messenger.ts";

const MONDAY_9 = new Date("2026-03-16T09:00:00Z");

/** Sends, then the database goes down; it comes back after refusing one transaction. */
class OutageAfterSend extends RecordingMessenger {
  constructor(private readonly outage: () => void) {
    super("chat");
  }
  override async send(to: MessageRecipient, message: Message): Promise<MessageDelivery> {
    const delivery = await super.send(to, message);
    this.outage();
    return delivery;
  }
}

for (const backend of backends()) {
  describe(`a nudge sent while the database goes away (${backend.name})`, { skip: backend.skip }, () => {
    let store: TestDb;
    let engine: Engine;
    let messenger: OutageAfterSend;
    let down = false;
    let refusals = 0;

    before(async () => {
      store = await freshDb(backend.db);
      await migrate(store.db);
      const real = store.db;
      const flaky = new Proxy(real, {
        get(target, prop) {
          if (prop === "scoped" && down)
            return () => {
              refusals++;
              // Back after this one refusal: the next transaction finds the database again.
              queueMicrotask(() => {
                down = false;
              });
              return Promise.reject(new Error("Connection terminated unexpectedly"));
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as Db;
      messenger = new OutageAfterSend(() => {
        down = true;
      });
      const config = testConfig();
      engine = createEngine({
        config,
        db: flaky,
        jobs: createJobs({ logger: silentLogger }),
        secrets: createSecretBox(Buffer.from(config.CAIRN_MASTER_KEY as string, "base64")),
        log: silentLogger,
        now: () => MONDAY_9,
        messenger,
      });
    });
    after(async () => {
      down = false;
      await engine?.services.jobs.close(1_000).catch(() => {});
      await store?.drop();
    });

    it("records the nudge as sent once the database is back, and a retry of the job does not send it again", async () => {
      const issued = await issueApiToken(store.db, { workspace: "nudge-outage", email: "ada@outage.test" });
      const ada: Actor = { workspace: issued.workspace, person: issued.person };
      const day = [{ start: "09:00", end: "17:00" }];
      await engine.call(ada, "cli", "set_preferences", {
        timezone: "UTC",
        workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
      });
      const decided = await sweep(engine.services, { workspaceId: ada.workspace.id });
      assert.equal(decided.scheduled, 1, "the morning plan nudge");
      const [nudge] = await store.db.scoped(ada.workspace.id, (tx) =>
        listNudgeRows(tx, ada.person.id, { limit: 5 }),
      );
      assert.ok(nudge);
      const job = { data: { workspaceId: ada.workspace.id, nudgeId: nudge.id } };

      const first = await deliverNudge(engine.services, { ...job, attempt: 1 }).catch(
        (error: unknown) => error,
      );
      assert.ok(refusals >= 1, "the database refused the record of the send");
      assert.deepEqual(first, { outcome: "sent", channel: "chat" });
      // What the queue does when a try throws: it runs the job again.
      const retry = await deliverNudge(engine.services, { ...job, attempt: 2 });
      assert.deepEqual(retry, { outcome: "skipped" });
      assert.equal(messenger.sent.length, 1, "sent exactly once");

      const [row] = await store.db.scoped(ada.workspace.id, (tx) =>
        listNudgeRows(tx, ada.person.id, { limit: 5 }),
      );
      assert.equal(row?.status, "sent");
      const events = await store.db.scoped(ada.workspace.id, (tx) =>
        tx.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'nudge_sent'"),
      );
      assert.equal(Number(events.rows[0]?.n), 1, "one nudge_sent event");
    });

    it("a delivery job run again after its worker died takes its own claim over at once", async () => {
      const issued = await issueApiToken(store.db, { workspace: "nudge-takeover", email: "bo@outage.test" });
      const bo: Actor = { workspace: issued.workspace, person: issued.person };
      const day = [{ start: "09:00", end: "17:00" }];
      await engine.call(bo, "cli", "set_preferences", {
        timezone: "UTC",
        workingHours: { mon: day, tue: day, wed: day, thu: day, fri: day },
      });
      await sweep(engine.services, { workspaceId: bo.workspace.id });
      const [nudge] = await store.db.scoped(bo.workspace.id, (tx) =>
        listNudgeRows(tx, bo.person.id, { limit: 5 }),
      );
      assert.ok(nudge);
      // The job "deliver-1" claimed it, then its worker was killed before sending.
      const claimed = await store.db.scoped(bo.workspace.id, (tx) =>
        claimNudge(tx, nudge.id, MONDAY_9, CLAIM_LEASE_MS, "deliver-1"),
      );
      assert.equal(claimed?.status, "sending");
      const before = messenger.sent.length;
      const data = { workspaceId: bo.workspace.id, nudgeId: nudge.id };
      // Another job leaves a fresh claim alone; the same job, run again by the queue, sends.
      assert.deepEqual(await deliverNudge(engine.services, { id: "deliver-2", data, attempt: 1 }), {
        outcome: "skipped",
      });
      assert.deepEqual(await deliverNudge(engine.services, { id: "deliver-1", data, attempt: 1 }), {
        outcome: "sent",
        channel: "chat",
      });
      assert.equal(messenger.sent.length - before, 1);
      assert.deepEqual(await deliverNudge(engine.services, { id: "deliver-1", data, attempt: 2 }), {
        outcome: "skipped",
      });
    });
  });
}
