/** The engine's services are typed and named: defaults before bin/ wires anything, and what wiring changes. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { loadConfig } from "../../engine/config.ts";
import type { Db } from "../../engine/db/port.ts";
import { createEngine } from "../../engine/engine.ts";
import { CairnError, ErrorCode } from "../../engine/errors.ts";
import { createInProcessJobs } from "../../engine/jobs/in-process.ts";
import { silentLogger } from "../../engine/logger.ts";
import { silentMessenger } from "../../engine/messaging/messenger.ts";
import { DEFAULT_REPLAN_DELAY_MS } from "../../engine/scheduling/service/replan.ts";
import { createSecretBox } from "../../engine/security/secret-box.ts";
import { getSyncService } from "../../engine/sync/service.ts";
import { RecordingMessenger } from "../support/recording-messenger.ts";

// Building an engine touches no database; a Db that fails on use proves it.
const unusedDb = new Proxy({} as Db, {
  get: () => () => {
    throw new Error("the database is not used by these tests");
  },
});

function engineWith(options: { messenger?: RecordingMessenger; replanDelayMs?: number } = {}) {
  return createEngine({
    config: loadConfig({}),
    db: unusedDb,
    jobs: createInProcessJobs(),
    secrets: createSecretBox(randomBytes(32)),
    log: silentLogger,
    ...(options.messenger ? { messenger: options.messenger } : {}),
    ...(options.replanDelayMs !== undefined ? { replan: { delayMs: options.replanDelayMs } } : {}),
  });
}

describe("engine services", () => {
  it("start with a silent messenger, the documented replan delay, and no sync or calendar writer", () => {
    const { services } = engineWith();
    assert.equal(services.messenger, silentMessenger);
    assert.equal(services.replan.delayMs, DEFAULT_REPLAN_DELAY_MS);
    assert.equal(services.sync, undefined);
    assert.equal(services.calendarWriter, undefined);
    assert.equal("extensions" in services, false);
  });

  it("reading sync before bin/ wires connectors is a clear unavailable error", () => {
    const { services } = engineWith();
    assert.throws(
      () => getSyncService(services),
      (error: unknown) =>
        error instanceof CairnError &&
        error.code === ErrorCode.Unavailable &&
        /no connectors registered/.test(error.message),
    );
  });

  it("take the messenger and replan delay the composition root gives", async () => {
    const messenger = new RecordingMessenger();
    const { services } = engineWith({ messenger, replanDelayMs: 250 });
    assert.equal(services.replan.delayMs, 250);
    await services.messenger.send({ workspaceId: "w", personId: "p" }, { text: "hi", parts: [] });
    assert.equal(messenger.sent.length, 1);
  });
});
