/**
 * Nudge traffic of the scale-out run: people join a workspace of their own during the run, each set up over
 * HTTP (through the load balancer) so that exactly one nudge is due for them now: working hours that began this
 * local hour and end before the next one (so the send-time choice can only pick now), the morning plan as their
 * only kind (enabled last: nudges are off while the day is being set), delivered by email to a local SMTP sink. Sweeps of that workspace are queued two at a time every second with no
 * dedupe id, so both workers evaluate and deliver at the same time, through every fault. Afterwards each person
 * whose set-up was acknowledged must have received their nudge exactly once, and nobody twice.
 */
import { DateTime } from "luxon";
import { createJobs } from "../../../engine/jobs/index.ts";
import type { Jobs } from "../../../engine/jobs/port.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { NUDGE_QUEUE, SWEEP_JOB, type SweepJob } from "../../../engine/nudges/scheduler.ts";
import type { SmtpSink } from "../../fakes/smtp.ts";
import { type AttemptLog, apiClient } from "./client.ts";

export const NUDGE_WORKSPACE = "scale-nudges";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface NudgePerson {
  email: string;
  personId: string;
  /** Both set-up calls were acknowledged: the nudge must arrive, once. */
  acknowledged: boolean;
}

export interface NudgeFigures {
  people: number;
  acknowledged: number;
  emails: number;
  /** Sweep jobs queued (each runs on whichever worker takes it). */
  sweeps: number;
  /** Nudge rows by status at the end. */
  statuses: Record<string, number>;
}

/**
 * A zone and working hours in which the current hour has at least 25 minutes left: UTC, or India's +05:30 when
 * UTC's hour is nearly over (one of the two always is).
 */
export function nudgeDay(now: Date): { timezone: string; start: string; end: string } {
  for (const timezone of ["UTC", "Asia/Kolkata"]) {
    const local = DateTime.fromJSDate(now, { zone: timezone });
    if (local.minute < 35) {
      const hour = String(local.hour).padStart(2, "0");
      return { timezone, start: `${hour}:00`, end: `${hour}:59` };
    }
  }
  throw new Error("unreachable: one of UTC and +05:30 is in the first 35 minutes of its hour");
}

/** Resolves undefined instead of hanging while Redis is away (the client queues commands until it is back). */
const within = <T>(ms: number, promise: Promise<T>): Promise<T | undefined> =>
  Promise.race([promise.catch(() => undefined), sleep(ms).then(() => undefined)]);

/** Rows of a query run as the database owner (row-level security does not hide other workspaces). */
export type RowQuery = <T extends Record<string, unknown>>(sql: string, params: unknown[]) => Promise<T[]>;

export interface NudgeTraffic {
  people: NudgePerson[];
  /** Adds people and queues sweeps until `stopped()`; then one last sweep. */
  run(stopped: () => boolean): Promise<void>;
  check(query: RowQuery, violations: string[]): Promise<NudgeFigures>;
  close(): Promise<void>;
}

export function nudgeTraffic(options: {
  lbUrl: string;
  redisUrl: string;
  log: AttemptLog;
  smtp: SmtpSink;
  issue(email: string, timezone: string): Promise<{ token: string; personId: string; workspaceId: string }>;
}): NudgeTraffic {
  const people: NudgePerson[] = [];
  const jobs: Jobs = createJobs({ redisUrl: options.redisUrl, logger: silentLogger });
  let workspaceId: string | undefined;
  let sweeps = 0;

  const queueSweep = async () => {
    if (!workspaceId) return;
    const queued = await within(
      3_000,
      jobs.enqueue<SweepJob>(NUDGE_QUEUE, SWEEP_JOB, { workspaceId }, { attempts: 3, backoffMs: 500 }),
    );
    if (queued !== undefined) sweeps++;
  };

  async function addPerson(n: number, stopped: () => boolean): Promise<void> {
    const email = `nudge-${n}@scale.test`;
    const day = nudgeDay(new Date());
    let issued: Awaited<ReturnType<typeof options.issue>> | undefined;
    // Straight to the database (no action creates people): retried through a PostgreSQL restart.
    for (let backoff = 200; !issued && !stopped(); backoff = Math.min(backoff * 2, 2_000)) {
      issued = await options.issue(email, day.timezone).catch(() => undefined);
      if (!issued) await sleep(backoff);
    }
    if (!issued) return;
    workspaceId = issued.workspaceId;
    const api = apiClient(options.lbUrl, issued.token, options.log);
    const hours = Object.fromEntries(
      ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ start: day.start, end: day.end }]]),
    );
    // Nudges off until the day is set: a sweep in between would decide nudges for the default working hours.
    const off = await api.act("set_nudge_preferences", { enabledKinds: [], channel: "email" });
    const zone = await api.act("set_preferences", { timezone: day.timezone, workingHours: hours });
    const on = await api.act("set_nudge_preferences", { enabledKinds: ["morning_plan"] });
    people.push({ email, personId: issued.personId, acknowledged: off.ok && zone.ok && on.ok });
  }

  return {
    people,
    async run(stopped) {
      const sweeping = (async () => {
        while (!stopped()) {
          // Two at once, with no dedupe id: both workers evaluate and deliver concurrently.
          await Promise.all([queueSweep(), queueSweep()]);
          await sleep(1_000);
        }
      })();
      for (let n = 0; !stopped(); n++) {
        await addPerson(n, stopped);
        await sleep(2_000);
      }
      await sweeping;
      // The last people joined just before the traffic stopped: one more sweep decides their nudges.
      for (let tries = 0; tries < 20; tries++) {
        const before = sweeps;
        await queueSweep();
        if (sweeps > before) break;
        await sleep(500);
      }
    },
    async check(query, violations) {
      // Emails by recipient, and by recipient and subject (one subject per nudge kind, one nudge per kind a day).
      const mails = new Map<string, number>();
      const bySubject = new Map<string, number>();
      for (const mail of options.smtp.messages)
        for (const to of mail.envelopeTo) {
          mails.set(to, (mails.get(to) ?? 0) + 1);
          const key = `${to}\n${mail.subject}`;
          bySubject.set(key, (bySubject.get(key) ?? 0) + 1);
        }
      for (const [key, count] of bySubject)
        if (count > 1) violations.push(`${key.replace("\n", ": ")} was emailed ${count} times`);
      const rows = workspaceId
        ? await query<{ person_id: string; kind: string; status: string }>(
            "SELECT person_id, kind, status FROM nudges WHERE workspace_id = $1",
            [workspaceId],
          )
        : [];
      const statuses: Record<string, number> = {};
      for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      for (const person of people) {
        const own = rows.filter((row) => row.person_id === person.personId);
        const sent = own.filter((row) => row.status === "sent" || row.status === "acted").length;
        const received = mails.get(person.email) ?? 0;
        const states = own.map((row) => `${row.kind} ${row.status}`).join(", ") || "no nudge";
        if (received > sent)
          violations.push(`${person.email} received ${received} emails for ${sent} sent nudges (${states})`);
        if (person.acknowledged && !own.some((row) => row.kind === "morning_plan" && row.status === "sent"))
          violations.push(`${person.email} never received their morning plan nudge (${states})`);
      }
      return {
        people: people.length,
        acknowledged: people.filter((p) => p.acknowledged).length,
        emails: options.smtp.messages.length,
        sweeps,
        statuses,
      };
    },
    close: () => jobs.close(2_000),
  };
}
