/**
 * Nudge evaluation throughput on one worker, in people per second:
 *   - decide: the triggers and the timing (pure) for --people synthetic days (default 10,000);
 *   - sweep: the evaluator as the worker runs it (read each person's day from the database, behaviour insights
 *     when a deadline is close, record the nudges, enqueue their delayed jobs) for --db-people people
 *     (default 1,000) on PGlite, or on PostgreSQL when DATABASE_URL is set.
 * Seeded: the same people every run. Prints JSON on stdout.
 *   npm run bench -- nudges [--people 10000] [--db-people 1000]
 */
import { parseArgs } from "node:util";
import { createEngine } from "../../../engine/engine.ts";
import { createJobs } from "../../../engine/jobs/index.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { DEFAULT_NUDGE_PREFERENCES } from "../../../engine/nudges/kinds.ts";
import { sweep } from "../../../engine/nudges/scheduler.ts";
import { scheduleNudges } from "../../../engine/nudges/timing.ts";
import { nudgeCandidates, type PersonSnapshot } from "../../../engine/nudges/triggers.ts";
import { createSecretBox } from "../../../engine/security/secret-box.ts";
import { freshDb, testConfig } from "../../support/harness.ts";
import { RecordingMessenger } from "../../support/recording-messenger.ts";
import { progress, seededRandom } from "../support/stats.ts";

const { values } = parseArgs({
  options: { people: { type: "string", default: "10000" }, "db-people": { type: "string", default: "1000" } },
});
const PEOPLE = Number(values.people);
const DB_PEOPLE = Number(values["db-people"]);
// Monday 16 March 2026, 10:20 UTC: mid-morning, blocks starting soon and missed, deadlines close.
const NOW = new Date("2026-03-16T10:20:00Z");
const MINUTE = 60_000;
const DAY = [{ start: "09:00", end: "17:00" }];
const WEEK = { mon: DAY, tue: DAY, wed: DAY, thu: DAY, fri: DAY };

function syntheticDay(i: number, random: () => number): PersonSnapshot {
  const at = (minutesFromNine: number) =>
    new Date(Date.parse("2026-03-16T09:00:00Z") + minutesFromNine * MINUTE).toISOString();
  const id = (n: number) => `00000000-0000-4000-8000-${String(i * 10 + n).padStart(12, "0")}`;
  const blocks = [0, 1, 2].map((k) => {
    const start = Math.floor(random() * 420);
    return {
      id: id(k),
      taskId: id(k + 3),
      title: `Task ${k}`,
      kind: "task" as const,
      status: "planned" as const,
      start: at(start),
      end: at(start + 60),
    };
  });
  return {
    workspaceId: "00000000-0000-4000-8000-00000000000a",
    personId: id(9),
    timezone: "UTC",
    workingHours: WEEK,
    now: NOW.toISOString(),
    blocks,
    meetings: [{ start: at(Math.floor(random() * 400)), end: at(Math.floor(random() * 400) + 60) }],
    tasks: [3, 4, 5].map((k) => ({
      id: id(k),
      title: `Task ${k}`,
      due: at(600 + Math.floor(random() * 2000)),
      probability: random(),
    })),
    startedTaskIds: random() < 0.5 ? [id(3)] : [],
    unscheduled: random() < 0.2 ? [{ taskId: id(4), title: "Task 4" }] : [],
    completedToday: Math.floor(random() * 3),
    streakDays: Math.floor(random() * 8),
  };
}

function benchDecide(): { people: number; seconds: number; peoplePerSecond: number; nudges: number } {
  const random = seededRandom(12);
  const days = Array.from({ length: PEOPLE }, (_, i) => syntheticDay(i, random));
  const sendTimes = new Map([[10, { sent: 40, acted: 20 }]]);
  let nudges = 0;
  const started = performance.now();
  for (const day of days) {
    const timed = scheduleNudges(nudgeCandidates(day), {
      personId: day.personId,
      timezone: day.timezone,
      workingHours: day.workingHours,
      now: day.now,
      preferences: DEFAULT_NUDGE_PREFERENCES,
      busy: [...day.meetings, ...day.blocks.map((b) => ({ start: b.start, end: b.end, blockId: b.id }))],
      alreadyToday: 0,
      sendTimes,
    });
    nudges += timed.scheduled.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { people: PEOPLE, seconds: round(seconds), peoplePerSecond: Math.round(PEOPLE / seconds), nudges };
}

const round = (value: number) => Math.round(value * 100) / 100;

async function benchSweep() {
  const backend = process.env.DATABASE_URL ? "postgres" : "pglite";
  const { db, drop } = await freshDb(backend);
  const config = testConfig();
  const jobs = createJobs({ logger: silentLogger });
  const engine = createEngine({
    config,
    db,
    jobs,
    secrets: createSecretBox(Buffer.from(config.CAIRN_MASTER_KEY as string, "base64")),
    log: silentLogger,
    now: () => NOW,
    messenger: new RecordingMessenger(),
  });
  try {
    await engine.prepare();
    progress(`seeding ${DB_PEOPLE} people on ${backend}`);
    const workspaceId = await db.system(async (tx) => {
      const ws = await tx.query<{ id: string }>(
        "INSERT INTO workspaces (slug, name) VALUES ('nudge-bench', 'Nudge bench') RETURNING id",
      );
      const id = (ws.rows[0] as { id: string }).id;
      await tx.query(
        `INSERT INTO people (workspace_id, email, name, timezone, working_hours)
         SELECT $1, 'p' || g || '@bench.test', 'Person ' || g, 'UTC', $2::jsonb FROM generate_series(1, $3) g`,
        [id, JSON.stringify(WEEK), DB_PEOPLE],
      );
      // Three tasks each, due over the next days; one block per task today (deterministic offsets).
      await tx.query(
        `INSERT INTO tasks (workspace_id, person_id, title, estimate_minutes, due, created_at)
         SELECT $1, p.id, 'Task ' || k, 60, $2::timestamptz + ((k * 17 + (hashtext(p.email) & 255)) || ' hours')::interval,
                $2::timestamptz - interval '10 days'
         FROM people p, generate_series(1, 3) k WHERE p.workspace_id = $1`,
        [id, NOW.toISOString()],
      );
      await tx.query(
        `INSERT INTO blocks (workspace_id, person_id, task_id, plan_version, start_at, end_at, status, kind)
         SELECT t.workspace_id, t.person_id, t.id, 1, s.start_at, s.start_at + interval '60 minutes', 'planned', 'task'
         FROM tasks t, LATERAL (SELECT '2026-03-16T09:00:00Z'::timestamptz
           + (((hashtext(t.id::text) & 2147483647) % 28) * 15 || ' minutes')::interval AS start_at) s
         WHERE t.workspace_id = $1`,
        [id],
      );
      return id;
    });
    progress("sweeping");
    const started = performance.now();
    const result = await sweep(engine.services, { workspaceId });
    const seconds = (performance.now() - started) / 1000;
    return {
      backend,
      people: result.people,
      seconds: round(seconds),
      peoplePerSecond: round(result.people / seconds),
      nudgesScheduled: result.scheduled,
      failedPeople: result.failedPeople,
    };
  } finally {
    await jobs.close(1_000);
    await drop();
  }
}

progress(`deciding for ${PEOPLE} people`);
const decide = benchDecide();
const evaluator = DB_PEOPLE > 0 ? await benchSweep() : null;
process.stdout.write(`${JSON.stringify({ decide, sweep: evaluator }, null, 2)}\n`);
