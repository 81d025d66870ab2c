/**
 * Nudge evaluation throughput on one worker, in people per second:
 *   - decide: the triggers and the timing (pure) for --people synthetic days (default 10,000);
 *   - sweep: the evaluator as the worker runs it (read the people's days from the database, behaviour insights
 *     when a deadline-at-risk nudge could go out, record the nudges, enqueue their delayed jobs) for
 *     --db-people people (default 10,000), then the next sweep five minutes later on the same data;
 *   - before: the per-person evaluator it replaced (per-person-sweep.ts) on the first --before-people of the
 *     same people (default 1,000; 0 skips it), on its own fresh database. When both see the same people, the
 *     nudges they record must be the same ones (`sameNudges`).
 * On PGlite, or on PostgreSQL when DATABASE_URL is set. Seeded: the same people (same ids) every run.
 * Prints JSON on stdout.
 *   npm run bench -- nudges [--people 10000] [--db-people 10000] [--before-people 1000]
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import type { Db } from "../../../engine/db/port.ts";
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
import { perPersonSweep } from "./per-person-sweep.ts";

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "10000" },
    "db-people": { type: "string", default: "10000" },
    "before-people": { type: "string", default: "1000" },
  },
});
const PEOPLE = Number(values.people);
const DB_PEOPLE = Number(values["db-people"]);
const BEFORE_PEOPLE = Math.min(Number(values["before-people"]), DB_PEOPLE);
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

const WORKSPACE_ID = "00000000-0000-4000-8000-00000000b0b0";

/** The bench's people: ids derived from their number, so every run and both evaluators see the same data. */
async function seed(db: Db, people: number): Promise<void> {
  await db.system(async (tx) => {
    await tx.query("INSERT INTO workspaces (id, slug, name) VALUES ($1, 'nudge-bench', 'Nudge bench')", [
      WORKSPACE_ID,
    ]);
    await tx.query(
      `INSERT INTO people (id, workspace_id, email, name, timezone, working_hours)
       SELECT md5('nudge-bench-p' || g)::uuid, $1, 'p' || g || '@bench.test', 'Person ' || g, 'UTC', $2::jsonb
       FROM generate_series(1, $3) g`,
      [WORKSPACE_ID, JSON.stringify(WEEK), people],
    );
    // Three tasks each, due over the next days; one block per task today (deterministic offsets).
    await tx.query(
      `INSERT INTO tasks (id, workspace_id, person_id, title, estimate_minutes, due, created_at)
       SELECT md5(p.id::text || '-t' || k)::uuid, $1, p.id, 'Task ' || k, 60,
              $2::timestamptz + ((k * 17 + (hashtext(p.email) & 255)) || ' hours')::interval,
              $2::timestamptz - interval '10 days'
       FROM people p, generate_series(1, 3) k WHERE p.workspace_id = $1`,
      [WORKSPACE_ID, NOW.toISOString()],
    );
    await tx.query(
      `INSERT INTO blocks (id, workspace_id, person_id, task_id, plan_version, start_at, end_at, status, kind)
       SELECT md5(t.id::text || '-b')::uuid, t.workspace_id, t.person_id, t.id, 1, s.start_at,
              s.start_at + interval '60 minutes', 'planned', 'task'
       FROM tasks t, LATERAL (SELECT '2026-03-16T09:00:00Z'::timestamptz
         + (((hashtext(t.id::text) & 2147483647) % 28) * 15 || ' minutes')::interval AS start_at) s
       WHERE t.workspace_id = $1`,
      [WORKSPACE_ID],
    );
  });
}

/** A fresh database and engine on the bench's clock, seeded with `people`. */
async function benchEngine(people: number, clock: { now: Date }) {
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
    now: () => clock.now,
    messenger: new RecordingMessenger(),
  });
  await engine.prepare();
  progress(`seeding ${people} people on ${backend}`);
  await seed(db, people);
  const close = async () => {
    await jobs.close(1_000);
    await drop();
  };
  return { backend, engine, close };
}

const rate = (people: number, seconds: number) => round(people / seconds);

async function benchBefore(): Promise<{
  people: number;
  seconds: number;
  peoplePerSecond: number;
  nudges: string[];
}> {
  const clock = { now: NOW };
  const { engine, close } = await benchEngine(BEFORE_PEOPLE, clock);
  try {
    progress(`per-person sweep (before) over ${BEFORE_PEOPLE} people`);
    const started = performance.now();
    const nudges = await perPersonSweep(engine.services, WORKSPACE_ID);
    const seconds = (performance.now() - started) / 1000;
    return {
      people: BEFORE_PEOPLE,
      seconds: round(seconds),
      peoplePerSecond: rate(BEFORE_PEOPLE, seconds),
      nudges,
    };
  } finally {
    await close();
  }
}

async function benchAfter() {
  const clock = { now: NOW };
  const { backend, engine, close } = await benchEngine(DB_PEOPLE, clock);
  try {
    progress(`batched sweep (after) over ${DB_PEOPLE} people`);
    let started = performance.now();
    const first = await sweep(engine.services, { workspaceId: WORKSPACE_ID });
    const seconds = (performance.now() - started) / 1000;
    const recorded = await engine.services.db.system(
      async (tx) =>
        (await tx.query<{ id: string; person_id: string }>("SELECT id, person_id FROM nudges")).rows,
    );
    clock.now = new Date(NOW.getTime() + 5 * 60_000);
    progress("the next sweep, five minutes later");
    started = performance.now();
    const next = await sweep(engine.services, { workspaceId: WORKSPACE_ID });
    const nextSeconds = (performance.now() - started) / 1000;
    return {
      backend,
      first: { ...first, seconds: round(seconds), peoplePerSecond: rate(first.people, seconds) },
      next: { ...next, seconds: round(nextSeconds), peoplePerSecond: rate(next.people, nextSeconds) },
      recorded,
    };
  } finally {
    await close();
  }
}

progress(`deciding for ${PEOPLE} people`);
const decide = benchDecide();
const after = DB_PEOPLE > 0 ? await benchAfter() : null;
const before = BEFORE_PEOPLE > 0 ? await benchBefore() : null;
/** A person's id as seed() derives it (md5 of their number, read as a UUID). */
const personIdOf = (g: number) => {
  const hex = createHash("md5").update(`nudge-bench-p${g}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
let sameNudges: boolean | null = null;
if (before && after) {
  // The baseline saw people 1..BEFORE_PEOPLE: the batched sweep must record exactly the same nudges for them.
  const baselinePeople = new Set(Array.from({ length: BEFORE_PEOPLE }, (_, i) => personIdOf(i + 1)));
  const baseline = new Set(before.nudges);
  const afterOfSame = after.recorded.filter((row) => baselinePeople.has(row.person_id));
  sameNudges = afterOfSame.length === baseline.size && afterOfSame.every((row) => baseline.has(row.id));
}
const { recorded: _recorded, ...afterSummary } = after ?? { recorded: [] };
process.stdout.write(
  `${JSON.stringify(
    {
      decide,
      before: before && {
        people: before.people,
        seconds: before.seconds,
        peoplePerSecond: before.peoplePerSecond,
        nudgesScheduled: before.nudges.length,
      },
      after: after && afterSummary,
      speedup: before && after ? round(after.first.peoplePerSecond / before.peoplePerSecond) : null,
      sameNudges,
    },
    null,
    2,
  )}\n`,
);
