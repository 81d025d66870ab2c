/**
 * Scale-out, proven: 2 × `cairn start --role web` behind a load balancer and 2 × `cairn worker` on a private
 * PostgreSQL and Redis, under mixed traffic, through a graceful web rollout, a web SIGKILL, a worker SIGKILL,
 * a Redis restart and a PostgreSQL restart (test/e2e/scale-out/scenario.ts). Afterwards every acknowledged
 * write is present, no effect happened twice (calendar blocks, Jira write-backs, nudges), the plan versions are
 * consistent, and clients were served again within 30 s of each fault. Skipped when initdb or redis-server is
 * not installed (never with CAIRN_REQUIRE_SERVICES=1). `npm run bench -- scale-out` runs it longer and prints
 * the figures in BENCHMARKS.md.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { skipWithoutPrivateServices } from "../../support/private-services.ts";
import { runScaleOut } from "./scenario.ts";

describe("scale-out: web and worker processes through process, Redis and PostgreSQL faults", {
  skip: skipWithoutPrivateServices(),
  timeout: 285_000,
}, () => {
  it("keeps every acknowledged write, runs each effect once and serves again within 30 s of each fault", async () => {
    const report = await runScaleOut({
      trafficMs: Number(process.env.CAIRN_SCALE_OUT_TRAFFIC_MS ?? 45_000),
      ...(process.env.CAIRN_SCALE_OUT_FAULTS
        ? { onlyFaults: process.env.CAIRN_SCALE_OUT_FAULTS.split(",") }
        : {}),
      progress:
        process.env.CAIRN_SCALE_OUT_VERBOSE === "1" ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
    if (process.env.CAIRN_SCALE_OUT_VERBOSE === "1")
      process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);
    assert.deepEqual(report.violations, [], JSON.stringify(report, null, 2));
    if (!process.env.CAIRN_SCALE_OUT_FAULTS) assert.equal(report.faults.length, 5);
    for (const fault of report.faults) assert.ok(fault.attempts > 0, `no traffic during ${fault.name}`);
    assert.ok(
      report.acknowledged.tasksCreated > 0 && report.acknowledged.mcpCreates > 0,
      JSON.stringify(report),
    );
    assert.ok(report.acknowledged.webhooks > 0 && report.plans > 0, JSON.stringify(report));
    assert.ok(report.calendarEvents > 0, "no block reached the calendar");
    assert.ok(report.notion.acknowledged > 0, JSON.stringify(report.notion));
    assert.ok(report.nudges.acknowledged > 0 && report.nudges.emails > 0, JSON.stringify(report.nudges));
  });
});
