/**
 * `npm run bench -- scale-out [--traffic-seconds N] [--json]`: the scale-out run of
 * test/e2e/scale-out/scale-out.test.ts (a private PostgreSQL and Redis, 2 web and 2 worker processes behind a
 * load balancer, five faults), with longer traffic, printed as the tables in BENCHMARKS.md ("Scale-out").
 * Exits 1 when the run broke a promise (the violations are printed too).
 */
import { parseArgs } from "node:util";
import { runScaleOut, type ScaleOutReport } from "../../e2e/scale-out/scenario.ts";
import { skipWithoutPrivateServices } from "../../support/private-services.ts";

const { values } = parseArgs({
  options: {
    "traffic-seconds": { type: "string", default: "120" },
    json: { type: "boolean", default: false },
  },
});
const trafficSeconds = Number(values["traffic-seconds"]);
if (!Number.isFinite(trafficSeconds) || trafficSeconds < 10) {
  process.stderr.write("--traffic-seconds must be a number of at least 10\n");
  process.exit(2);
}
const missing = skipWithoutPrivateServices();
if (missing) {
  process.stderr.write(`scale-out: ${missing}\n`);
  process.exit(2);
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function markdown(report: ScaleOutReport): string {
  const lines = [
    `Traffic ${seconds(report.trafficMs)} s · ${report.requestsServed} requests served · ${report.clientErrors} failed attempts seen by clients (each retried) · ${report.baselineErrors} before the first fault`,
    "",
    "| Fault | Repaired in | Attempts in window | Failed attempts | First success after | Longest time without an answer | Failures (operation status) |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...report.faults.map(
      (fault) =>
        `| ${fault.name} | ${seconds(fault.restoreMs)} s | ${fault.attempts} | ${fault.clientErrors} | ${seconds(fault.recoveryMs)} s | ${seconds(fault.longestGapMs)} s | ${
          Object.entries(fault.failures)
            .map(([kind, n]) => `${kind} ×${n}`)
            .join(", ") || "none"
        } |`,
    ),
    "",
    "| Acknowledged | Count |",
    "|---|---:|",
    `| create_task over HTTP (Idempotency-Key) | ${report.acknowledged.tasksCreated} |`,
    `| update_task | ${report.acknowledged.updates} |`,
    `| complete_task (own tasks and Jira tasks) | ${report.acknowledged.completions} |`,
    `| create_task over MCP (\`cairn/idempotency-key\`) | ${report.acknowledged.mcpCreates} |`,
    `| Jira issues whose last webhook was acknowledged | ${report.acknowledged.webhooks} |`,
    `| Notion webhook events (page renamed or created) | ${report.notion.acknowledged} |`,
    `| plan_week | ${report.plans} |`,
    `| people set up for a nudge due now (nudges off, working hours, morning plan on) | ${report.nudges.acknowledged} |`,
    "",
    `Nudges: ${report.nudges.people} people, ${report.nudges.sweeps} sweeps queued (two at a time, no dedupe id), ${report.nudges.emails} emails received by the SMTP sink, nudge rows by status ${JSON.stringify(report.nudges.statuses)}`,
    `Notion: ${report.notion.renamed} pages renamed and ${report.notion.created} created, ${report.notion.acknowledged} events acknowledged, ${report.notion.unacknowledged} never acknowledged`,
    `MCP sessions opened: ${report.mcpSessionsOpened} · calendar events Cairn owns at the end: ${report.calendarEvents} · Jira transitions written back: ${report.jiraTransitions}`,
    `Load balancer: ${report.loadBalancer.requests} requests, ${report.loadBalancer.retried} retried on the other web process, ${report.loadBalancer.unreachable} answered 502`,
    `BullMQ: ${report.jobs.completed} jobs completed, ${report.jobs.failed} failed, ${report.jobs.retried} ran more than once (retried or restarted), ${report.jobs.stalledRecovered} stalled jobs put back by a worker · queues drained ${seconds(report.drainMs)} s after traffic stopped`,
    "",
    report.violations.length === 0
      ? "Violations: none (every acknowledged write present, no effect twice, plan versions consistent, served again within 30 s)."
      : `Violations:\n${report.violations.map((v) => `- ${v}`).join("\n")}`,
  ];
  return lines.join("\n");
}

const report = await runScaleOut({
  trafficMs: trafficSeconds * 1000,
  progress: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : markdown(report)}\n`);
process.exit(report.violations.length === 0 ? 0 : 1);
