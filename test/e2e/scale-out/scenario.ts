/**
 * The scale-out run, shared by the CI test and the benchmark: a private PostgreSQL and Redis, 2 × `cairn start
 * --role web` behind a load balancer and 2 × `cairn worker`, mixed traffic for a bounded time (actions over
 * HTTP with Idempotency-Key, MCP sessions, Jira and Notion webhooks, replans, calendar syncs, Jira write-back,
 * nudges swept by both workers and delivered by email), and five
 * faults in turn: a graceful web rollout (SIGTERM), a web SIGKILL, a worker SIGKILL, a Redis restart and a
 * PostgreSQL restart. Then the queues drain and the outcome is checked against the fakes and the database.
 * Returns the figures and every broken promise found (`violations`), so the test can assert none and the
 * benchmark can print them.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import pg from "pg";
import { type FakeGoogle, startFakeGoogle } from "../../fakes/google-calendar.ts";
import { buildJiraWebhookEvent, type FakeJira, signJiraWebhook, startFakeJira } from "../../fakes/jira.ts";
import { type FakeNotion, startFakeNotion } from "../../fakes/notion.ts";
import { type SmtpSink, startSmtpSink } from "../../fakes/smtp.ts";
import { type LoadBalancer, startLoadBalancer } from "../../support/load-balancer.ts";
import { freePort, type PrivateServices, startPrivateServices } from "../../support/private-services.ts";
import { type ApiClient, type Attempt, AttemptLog, apiClient, mcpClient } from "./client.ts";
import { type CairnProcess, createFleet, type Fleet, runCairn } from "./fleet.ts";
import { type NotionFigures, notionTraffic } from "./notion.ts";
import {
  NUDGE_WORKSPACE,
  type NudgeFigures,
  type NudgeTraffic,
  nudgeTraffic,
  type RowQuery,
} from "./nudges.ts";

export interface ScaleOutOptions {
  /** How long traffic runs; the faults are spread over it. */
  trafficMs: number;
  /** Concurrent HTTP writers (each creates, updates and completes its own tasks). */
  writers?: number;
  /** Only the faults whose names contain one of these words (case-insensitive); default all five. */
  onlyFaults?: string[];
  /** Progress lines (stderr in the bench, nothing in the test). */
  progress?: (line: string) => void;
}

export interface FaultReport {
  name: string;
  /** ms from the start of traffic. */
  at: number;
  /** How long the restart took (process ready again, or service back). */
  restoreMs: number;
  /** Attempts that failed, started between this fault and the next one. */
  clientErrors: number;
  /** Attempts started in the same window. */
  attempts: number;
  /** The failures by operation and status (0: connection error), e.g. {"create_task 503": 2}. */
  failures: Record<string, number>;
  /** From the fault until a request started after it succeeded (-1: none did). */
  recoveryMs: number;
  /** The longest time in the window during which no client got a successful answer. */
  longestGapMs: number;
}

export interface ScaleOutReport {
  trafficMs: number;
  /** Successful HTTP and MCP answers seen by clients (every attempt counts once). */
  requestsServed: number;
  clientErrors: number;
  baselineErrors: number;
  faults: FaultReport[];
  acknowledged: {
    tasksCreated: number;
    updates: number;
    completions: number;
    mcpCreates: number;
    webhooks: number;
  };
  mcpSessionsOpened: number;
  plans: number;
  calendarEvents: number;
  jiraTransitions: number;
  /** Notion webhook deliveries (signed events through the load balancer). */
  notion: NotionFigures;
  /** Nudges due during the run, delivered by email: each exactly once. */
  nudges: NudgeFigures;
  loadBalancer: { requests: number; retried: number; unreachable: number };
  jobs: { completed: number; failed: number; retried: number; stalledRecovered: number };
  drainMs: number;
  violations: string[];
  /** Warnings and errors the processes logged (last lines of each), when something was violated. */
  logTails?: Record<string, string[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const JIRA_EMAIL = "owner@scale.test";
const JIRA_TOKEN = "jira-scale-token";
const WEBHOOK_SECRET = randomBytes(12).toString("hex");
const NOTION_TOKEN = "ntn_scale_out_token";
const NOTION_WEBHOOK_SECRET = `secret_${randomBytes(12).toString("hex")}`;
const QUEUES = ["sync", "writeback", "plan", "nudges"];
const TAIL_MS = 10_000;
const MIN_GAP_MS = 5_000;

interface TaskLedger {
  id: string;
  title: string;
  /** The estimate of the last acknowledged update, when no later update is in doubt. */
  estimate?: number;
  uncertain: boolean;
  completed: boolean;
}

interface Context {
  services: PrivateServices;
  fleet: Fleet;
  lb: LoadBalancer;
  jira: FakeJira;
  google: FakeGoogle;
  api: ApiClient;
  log: AttemptLog;
  token: string;
  workspaceId: string;
  personId: string;
  jiraConnection: string;
  googleConnection: string;
  superuserUrl: string;
}

function weekly(start: string, end: string) {
  return Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ start, end }]]),
  );
}

async function asSuperuser(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutReport> {
  const progress = options.progress ?? (() => {});
  const violations: string[] = [];
  let services: PrivateServices | undefined;
  let fleet: Fleet | undefined;
  let lb: LoadBalancer | undefined;
  let jira: FakeJira | undefined;
  let google: FakeGoogle | undefined;
  let smtp: SmtpSink | undefined;
  let notion: FakeNotion | undefined;
  let nudges: NudgeTraffic | undefined;
  let issuer: Awaited<ReturnType<typeof openIssuer>> | undefined;
  try {
    services = await startPrivateServices();
    progress(`postgres ${services.postgres.port}, redis ${services.redis.port}`);
    // The README's production set-up: a non-superuser login role owning its database, cairn_app for RLS.
    const password = randomBytes(12).toString("hex");
    await asSuperuser(services.postgres.url, [
      `CREATE ROLE cairn LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB`,
      "CREATE ROLE cairn_app NOLOGIN NOSUPERUSER NOBYPASSRLS",
      "GRANT cairn_app TO cairn",
      "CREATE DATABASE cairn OWNER cairn",
    ]);
    const superuserUrl = services.postgres.url.replace(/\/postgres$/, "/cairn");
    await asSuperuser(superuserUrl, ["CREATE EXTENSION IF NOT EXISTS vector"]);
    const databaseUrl = `postgres://cairn:${password}@127.0.0.1:${services.postgres.port}/cairn`;

    jira = await startFakeJira({ email: JIRA_EMAIL, apiToken: JIRA_TOKEN });
    jira.state.generateIssues(40, { projectKey: "SCALE", assignedToMeRate: 1, seed: 14 });
    google = await startFakeGoogle({ userEmail: "owner@scale.test", timeZone: "UTC" });
    smtp = await startSmtpSink();
    notion = await startFakeNotion({ token: NOTION_TOKEN });
    const notionSource = notion.state.addDatabase({ title: "Scale tasks" }).dataSources[0]?.id as string;
    notion.state.generatePages(notionSource, 20, { seed: 14, relationRate: 0 });

    const dataDir = join(services.dir, "cairn-data");
    mkdirSync(dataDir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: "127.0.0.1",
      CAIRN_DATA_DIR: dataDir,
      CAIRN_LOG_LEVEL: "warn",
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redis.url,
      CAIRN_MASTER_KEY: randomBytes(32).toString("base64"),
      CAIRN_PUBLIC_URL: "http://127.0.0.1:1",
      CAIRN_TRUST_PROXY: "1",
      CAIRN_SHUTDOWN_TIMEOUT_MS: "10000",
      CAIRN_RATE_LIMIT_PER_MINUTE: "100000",
      CAIRN_NUDGE_EVERY_MINUTES: "0",
      CAIRN_INSIGHTS_EVERY_MINUTES: "0",
      CAIRN_ALLOW_PRIVATE_URLS: "1",
      SMTP_URL: smtp.url,
      CAIRN_MAIL_FROM: "Cairn <cairn@scale.test>",
      // The children end themselves if this process dies without stopping them (bin/process-guards.ts).
      npm_command: "scale-out",
    };
    progress("cairn migrate");
    await runCairn(["migrate"], env);
    fleet = createFleet({
      env,
      webPorts: [await freePort(), await freePort()],
      workers: 2,
      onSpawn: (pid) => services?.track(pid),
    });
    const startedFleet = performance.now();
    await Promise.all(fleet.processes.map((proc) => (fleet as Fleet).start(proc)));
    progress(`fleet up in ${Math.round(performance.now() - startedFleet)} ms`);
    lb = await startLoadBalancer(fleet.processes.flatMap((proc) => (proc.url ? [proc.url] : [])));

    const issued = await issueToken(databaseUrl);
    const log = new AttemptLog();
    let stopped = false;
    const api = apiClient(lb.url, issued.token, log);
    const setup = async (name: string, input: unknown) => {
      const answer = await api.act<Record<string, unknown>>(name, input);
      if (!answer.ok)
        throw new Error(`set-up ${name} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    await setup("set_preferences", { timezone: "UTC", workingHours: weekly("00:00", "23:59") });
    const googleConnection = String(
      (
        await setup("connect_google", {
          clientId: google.state.clientId,
          clientSecret: google.state.clientSecret,
          refreshToken: "1//fake-refresh-token",
          apiUrl: google.url,
          tokenUrl: google.tokenUrl,
          syncEveryMinutes: 0,
        })
      ).id,
    );
    const jiraConnection = String(
      (
        await setup("connect_jira", {
          host: jira.url,
          email: JIRA_EMAIL,
          apiToken: JIRA_TOKEN,
          jql: "project = SCALE",
          webhookSecret: WEBHOOK_SECRET,
          syncEveryMinutes: 0,
        })
      ).id,
    );
    await setup("sync_now", { connection: jiraConnection });
    const notionConnection = String(
      (
        await setup("connect_notion", {
          token: NOTION_TOKEN,
          apiUrl: notion.url,
          webhookSecret: NOTION_WEBHOOK_SECRET,
          syncEveryMinutes: 0,
        })
      ).id,
    );
    await setup("sync_now", { connection: notionConnection });
    const context: Context = {
      services,
      fleet,
      lb,
      jira,
      google,
      api,
      log,
      token: issued.token,
      workspaceId: issued.workspaceId,
      personId: issued.personId,
      jiraConnection,
      googleConnection,
      superuserUrl,
    };

    // -- traffic and faults ---------------------------------------------------------------------------
    const trafficStart = performance.now();
    const ledger = new Map<string, TaskLedger>();
    const mcpCreated: { id: string; title: string }[] = [];
    const webhookSummaries = new Map<string, string>();
    const completedIssues = new Set<string>();
    let plans = 0;
    const synced = await jiraTasks(context);
    // Webhooks edit one half of the open issues, Cairn completes the other half: a webhook sync never races
    // the write-back of the same issue.
    const openKeys = [...synced.keys()].filter((key) => synced.get(key)?.open).sort();
    const completable = openKeys.filter((_, i) => i % 2 === 0);
    const editable = openKeys.filter((_, i) => i % 2 === 1);

    const loops: Promise<void>[] = [];
    let mcpSessions = 0;
    const writers = options.writers ?? 2;
    for (let w = 0; w < writers; w++) loops.push(writerLoop(context, w, ledger, () => stopped));
    issuer = await openIssuer(databaseUrl);
    nudges = nudgeTraffic({
      lbUrl: lb.url,
      redisUrl: services.redis.url,
      log,
      smtp,
      issue: (issuer as Awaited<ReturnType<typeof openIssuer>>).issue,
    });
    loops.push(nudges.run(() => stopped));
    const notionEvents = notionTraffic({
      api,
      notion,
      dataSourceId: notionSource,
      connectionId: notionConnection,
      secret: NOTION_WEBHOOK_SECRET,
    });
    loops.push(notionEvents.run(() => stopped));
    loops.push(
      (async () => {
        const mcp = mcpClient(lb.url, issued.token, log);
        for (let n = 0; !stopped; n++) {
          const title = `MCP task ${n}`;
          const result = await mcp.callTool("create_task", { title, estimateMinutes: 30 });
          if (result && typeof result.id === "string") mcpCreated.push({ id: result.id, title });
          else violations.push(`MCP create_task "${title}" was never acknowledged`);
          await sleep(150);
        }
        mcpSessions = mcp.sessionsOpened();
        await mcp.close();
      })(),
    );
    loops.push(
      (async () => {
        for (let n = 0; !stopped; n++) {
          const key = editable[n % editable.length] as string;
          const summary = `Edited ${key} rev ${n}`;
          context.jira.state.editIssue(key, { summary });
          const body = JSON.stringify(
            buildJiraWebhookEvent("jira:issue_updated", context.jira.state.renderIssue(key), {
              changelog: [
                {
                  field: "summary",
                  fieldtype: "jira",
                  fieldId: "summary",
                  from: null,
                  fromString: null,
                  to: null,
                  toString: summary,
                },
              ],
            }),
          );
          const answer = await api.post(
            `/webhooks/jira/${jiraConnection}`,
            body,
            {
              "content-type": "application/json",
              "user-agent": "Atlassian Webhook HTTP Client",
              "X-Hub-Signature": signJiraWebhook(body, WEBHOOK_SECRET),
            },
            "jira webhook",
          );
          if (answer.ok) webhookSummaries.set(key, summary);
          else webhookSummaries.delete(key);
          await sleep(400);
        }
      })(),
    );
    loops.push(
      (async () => {
        for (let n = 0; !stopped; n++) {
          const today = new Date().toISOString().slice(0, 10);
          const answer = await api.act("plan_week", { date: today });
          if (answer.ok) plans++;
          if (n % 2 === 0) await api.act("sync_now", { connection: googleConnection });
          const issue = completable[n];
          if (issue) {
            const done = await api.act("complete_task", { id: synced.get(issue)?.taskId });
            if (done.ok) completedIssues.add(issue);
          }
          await sleep(700);
        }
      })(),
    );

    const faults: FaultReport[] = [];
    const web = fleet.processes.filter((proc) => proc.role === "web");
    const workers = fleet.processes.filter((proc) => proc.role === "worker");
    const schedule: { name: string; run: () => Promise<void> }[] = [
      {
        name: "web rollout (SIGTERM, restart)",
        run: async () => {
          await (fleet as Fleet).stop(web[1] as CairnProcess, "SIGTERM");
          await (fleet as Fleet).start(web[1] as CairnProcess);
        },
      },
      {
        name: "web SIGKILL (restart)",
        run: async () => {
          await (fleet as Fleet).stop(web[0] as CairnProcess, "SIGKILL");
          await (fleet as Fleet).start(web[0] as CairnProcess);
        },
      },
      {
        name: "worker SIGKILL (restart)",
        run: async () => {
          await (fleet as Fleet).stop(workers[0] as CairnProcess, "SIGKILL");
          await (fleet as Fleet).start(workers[0] as CairnProcess);
        },
      },
      { name: "Redis restart (SIGKILL)", run: () => (services as PrivateServices).redis.restart() },
      { name: "PostgreSQL restart (immediate)", run: () => (services as PrivateServices).postgres.restart() },
    ];
    const marks: { name: string; at: number; restoreMs: number }[] = [];
    const chosen = schedule.filter(
      (fault) =>
        !options.onlyFaults || options.onlyFaults.some((word) => fault.name.toLowerCase().includes(word)),
    );
    for (const [i, fault] of chosen.entries()) {
      // Spread over the planned time, and never sooner than MIN_GAP_MS after the previous repair.
      const due = Math.max(
        trafficStart + (options.trafficMs * (i + 1)) / (chosen.length + 1),
        (marks.at(-1)?.at ?? 0) + (marks.at(-1)?.restoreMs ?? 0) + MIN_GAP_MS,
      );
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      progress(`fault: ${fault.name}`);
      const at = performance.now();
      await fault.run();
      marks.push({ name: fault.name, at, restoreMs: performance.now() - at });
      progress(`  restored in ${Math.round(performance.now() - at)} ms`);
    }
    // Traffic goes on for its planned time, and at least TAIL_MS after the last fault was repaired.
    const remaining = Math.max(trafficStart + options.trafficMs - performance.now(), TAIL_MS);
    await sleep(remaining);
    stopped = true;
    await Promise.all(loops);
    const trafficEnd = performance.now();
    progress(`traffic stopped after ${Math.round(trafficEnd - trafficStart)} ms; ${log.served()} served`);

    for (const [i, mark] of marks.entries()) {
      const until = marks[i + 1]?.at ?? trafficEnd;
      faults.push(faultReport(mark, until, log.attempts, trafficStart, violations));
    }
    const firstFault = marks[0]?.at ?? trafficEnd;
    const baselineErrors = log.attempts.filter((a) => a.startedAt < firstFault && !a.ok).length;

    // -- drain and check ------------------------------------------------------------------------------
    const drainStart = performance.now();
    const drained = await drainQueues(services.redis.url, 180_000);
    const drainMs = performance.now() - drainStart;
    if (!drained) violations.push("the job queues did not drain within 180 s after traffic stopped");
    progress(`queues drained in ${Math.round(drainMs)} ms`);
    await checkTasks(context, ledger, mcpCreated, violations);
    await checkWebhooks(context, webhookSummaries, violations);
    const jiraTransitions = checkWriteBack(context, completedIssues, violations);
    const calendarEvents = await checkCalendar(context, violations);
    await checkPlans(context, violations);
    const asOwner: RowQuery = (sql, params) =>
      withSuperuser(context, async (client) => (await client.query(sql, params)).rows);
    const nudgeFigures = await nudges.check(asOwner, violations);
    const notionFigures = await notionEvents.check(asOwner, violations);
    const jobs = await jobFigures(services.redis.url);
    const logCounts = fleet.logCounts();
    const tasks = [...ledger.values()];
    return {
      trafficMs: Math.round(trafficEnd - trafficStart),
      requestsServed: log.served(),
      clientErrors: log.attempts.filter((a) => !a.ok).length,
      baselineErrors,
      faults,
      acknowledged: {
        tasksCreated: tasks.length,
        updates: tasks.filter((t) => t.estimate !== undefined).length,
        completions: tasks.filter((t) => t.completed).length + completedIssues.size,
        mcpCreates: mcpCreated.length,
        webhooks: webhookSummaries.size,
      },
      mcpSessionsOpened: mcpSessions,
      plans,
      calendarEvents,
      jiraTransitions,
      notion: notionFigures,
      nudges: nudgeFigures,
      loadBalancer: { ...lb.stats },
      jobs: { ...jobs, stalledRecovered: logCounts.stalled },
      drainMs: Math.round(drainMs),
      violations,
      ...(violations.length > 0 ? { logTails: fleet.logTails(12) } : {}),
    };
  } finally {
    await lb?.close().catch(() => {});
    await fleet?.stopAll().catch(() => {});
    await jira?.close().catch(() => {});
    await google?.close().catch(() => {});
    await nudges?.close().catch(() => {});
    await notion?.close().catch(() => {});
    await issuer?.close().catch(() => {});
    await smtp?.close().catch(() => {});
    await services?.stop();
  }
}

async function issueToken(databaseUrl: string) {
  const [{ createPostgresDb }, { issueApiToken }] = await Promise.all([
    import("../../../engine/db/postgres.ts"),
    import("../../../engine/auth/api-tokens.ts"),
  ]);
  const db = await createPostgresDb({ url: databaseUrl, maxConnections: 1 });
  try {
    const issued = await issueApiToken(db, {
      workspace: "scale-out",
      email: "owner@scale.test",
      admin: true,
    });
    return { token: issued.token, workspaceId: issued.workspace.id, personId: issued.person.id };
  } finally {
    await db.close();
  }
}

/** Issues tokens for the people of the nudge workspace, straight in the database (as `cairn token` does). */
async function openIssuer(databaseUrl: string) {
  const [{ createPostgresDb }, { issueApiToken }] = await Promise.all([
    import("../../../engine/db/postgres.ts"),
    import("../../../engine/auth/api-tokens.ts"),
  ]);
  const db = await createPostgresDb({ url: databaseUrl, maxConnections: 2 });
  return {
    async issue(email: string, timezone: string) {
      const issued = await issueApiToken(db, { workspace: NUDGE_WORKSPACE, email, timezone });
      return { token: issued.token, personId: issued.person.id, workspaceId: issued.workspace.id };
    },
    close: () => db.close(),
  };
}

/** Creates, updates (estimate) and completes its own tasks, each call retried with its own key until acknowledged. */
async function writerLoop(
  context: Context,
  writer: number,
  ledger: Map<string, TaskLedger>,
  stopped: () => boolean,
): Promise<void> {
  for (let n = 0; !stopped(); n++) {
    const title = `Writer ${writer} task ${n}`;
    const due = new Date(Date.now() + (1 + (n % 4)) * 86_400_000).toISOString();
    const created = await context.api.act<{ id?: string }>("create_task", {
      title,
      estimateMinutes: 30 + (n % 4) * 15,
      due,
    });
    if (!created.ok || typeof created.body.id !== "string") continue;
    const entry: TaskLedger = { id: created.body.id, title, uncertain: false, completed: false };
    ledger.set(entry.id, entry);
    const estimate = 20 + ((n * 7) % 90);
    const updated = await context.api.act("update_task", { id: entry.id, estimateMinutes: estimate });
    if (updated.ok) entry.estimate = estimate;
    else entry.uncertain = true;
    if (n % 3 === 2) {
      const done = await context.api.act("complete_task", { id: entry.id });
      if (done.ok) entry.completed = true;
      else entry.uncertain = true;
    }
  }
}

function faultReport(
  mark: { name: string; at: number; restoreMs: number },
  until: number,
  attempts: Attempt[],
  trafficStart: number,
  violations: string[],
): FaultReport {
  const window = attempts.filter((a) => a.startedAt >= mark.at && a.startedAt < until);
  const failures = window.filter((a) => !a.ok);
  const successes = attempts
    .filter((a) => a.ok && a.startedAt >= mark.at)
    .map((a) => a.endedAt)
    .sort((a, b) => a - b);
  const firstSuccess = successes[0] ?? Number.POSITIVE_INFINITY;
  const recoveryMs = firstSuccess - mark.at;
  // The longest time in the window during which no client got an answer.
  let longestGapMs = Number.isFinite(recoveryMs) ? recoveryMs : until - mark.at;
  for (let i = 1; i < successes.length && (successes[i - 1] as number) < until; i++)
    longestGapMs = Math.max(longestGapMs, (successes[i] as number) - (successes[i - 1] as number));
  if (!Number.isFinite(recoveryMs)) violations.push(`${mark.name}: no request succeeded after the fault`);
  else if (recoveryMs > 30_000)
    violations.push(
      `${mark.name}: clients were served again only ${Math.round(recoveryMs)} ms after the fault`,
    );
  const byKind: Record<string, number> = {};
  for (const failure of failures) {
    const kind = `${failure.op} ${failure.status}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  if (!Number.isFinite(recoveryMs)) violations.push(`${mark.name}: no request succeeded after the fault`);
  else if (recoveryMs > 30_000)
    violations.push(
      `${mark.name}: clients were served again only ${Math.round(recoveryMs)} ms after the fault`,
    );
  return {
    name: mark.name,
    at: Math.round(mark.at - trafficStart),
    restoreMs: Math.round(mark.restoreMs),
    clientErrors: failures.length,
    attempts: window.length,
    failures: byKind,
    recoveryMs: Number.isFinite(recoveryMs) ? Math.round(recoveryMs) : -1,
    longestGapMs: Math.round(longestGapMs),
  };
}

async function drainQueues(redisUrl: string, timeoutMs: number): Promise<boolean> {
  const queues = QUEUES.map((name) => new Queue(name, { connection: { url: redisUrl }, prefix: "cairn" }));
  try {
    const deadline = performance.now() + timeoutMs;
    let quiet = 0;
    while (performance.now() < deadline) {
      let busy = 0;
      for (const queue of queues) {
        const counts = await queue.getJobCounts(
          "waiting",
          "active",
          "prioritized",
          "waiting-children",
          "paused",
        );
        busy += Object.values(counts).reduce((sum, n) => sum + n, 0);
        // Delayed jobs due soon (retries, nudges due now); not repeatable ones, nor any due after the run.
        const delayed = await queue.getJobs(["delayed"], 0, 200);
        busy += delayed.filter(
          (job) => !job.repeatJobKey && job.timestamp + job.delay < Date.now() + 60_000,
        ).length;
      }
      quiet = busy === 0 ? quiet + 1 : 0;
      if (quiet >= 3) return true;
      await sleep(1_000);
    }
    return false;
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

async function jobFigures(redisUrl: string): Promise<{ completed: number; failed: number; retried: number }> {
  let completed = 0;
  let failed = 0;
  let retried = 0;
  for (const name of QUEUES) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix: "cairn" });
    try {
      const done = await queue.getJobs(["completed"], 0, 999);
      const failures = await queue.getJobs(["failed"], 0, 999);
      completed += done.length;
      failed += failures.length;
      retried += [...done, ...failures].filter(
        (job) => job.attemptsMade > 1 || (job.attemptsStarted ?? 0) > 1,
      ).length;
    } finally {
      await queue.close();
    }
  }
  return { completed, failed, retried };
}

async function withSuperuser<T>(context: Context, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: context.superuserUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Jira issue key → Cairn task id and whether the task is still open. */
async function jiraTasks(context: Context): Promise<Map<string, { taskId: string; open: boolean }>> {
  return withSuperuser(context, async (client) => {
    const { rows } = await client.query<{ external_id: string; task_id: string; status: string }>(
      `SELECT s.external_id, s.task_id, t.status FROM task_sources s JOIN tasks t ON t.id = s.task_id
        WHERE s.workspace_id = $1 AND s.connection_id = $2`,
      [context.workspaceId, context.jiraConnection],
    );
    return new Map(
      rows.map((row) => [
        row.external_id,
        { taskId: row.task_id, open: !["done", "cancelled"].includes(row.status) },
      ]),
    );
  });
}

async function checkTasks(
  context: Context,
  ledger: Map<string, TaskLedger>,
  mcpCreated: { id: string; title: string }[],
  violations: string[],
): Promise<void> {
  const rows = await withSuperuser(context, async (client) => {
    const { rows } = await client.query<{
      id: string;
      title: string;
      status: string;
      estimate_minutes: number;
    }>("SELECT id, title, status, estimate_minutes FROM tasks WHERE workspace_id = $1", [
      context.workspaceId,
    ]);
    return new Map(rows.map((row) => [row.id, row]));
  });
  const titles = new Map<string, number>();
  for (const row of rows.values()) titles.set(row.title, (titles.get(row.title) ?? 0) + 1);
  for (const task of ledger.values()) {
    const row = rows.get(task.id);
    if (!row) {
      violations.push(`acknowledged create_task "${task.title}" (${task.id}) is missing`);
      continue;
    }
    if ((titles.get(task.title) ?? 0) !== 1)
      violations.push(`"${task.title}" exists ${titles.get(task.title)} times`);
    if (task.uncertain) continue;
    if (task.estimate !== undefined && row.estimate_minutes !== task.estimate)
      violations.push(
        `"${task.title}": estimate ${row.estimate_minutes}, acknowledged update said ${task.estimate}`,
      );
    if (task.completed && row.status !== "done")
      violations.push(`"${task.title}": status ${row.status} after an acknowledged complete_task`);
  }
  for (const task of mcpCreated) {
    if (!rows.has(task.id)) violations.push(`acknowledged MCP create_task "${task.title}" is missing`);
    if ((titles.get(task.title) ?? 0) !== 1)
      violations.push(`"${task.title}" exists ${titles.get(task.title)} times`);
  }
}

async function checkWebhooks(
  context: Context,
  summaries: Map<string, string>,
  violations: string[],
): Promise<void> {
  const titles = await withSuperuser(context, async (client) => {
    const { rows } = await client.query<{ external_id: string; title: string }>(
      `SELECT s.external_id, t.title FROM task_sources s JOIN tasks t ON t.id = s.task_id
        WHERE s.workspace_id = $1 AND s.connection_id = $2`,
      [context.workspaceId, context.jiraConnection],
    );
    return new Map(rows.map((row) => [row.external_id, row.title]));
  });
  for (const [key, summary] of summaries) {
    const title = titles.get(key);
    if (title !== summary)
      violations.push(
        `Jira ${key}: the last acknowledged webhook said "${summary}", the task says "${title}"`,
      );
  }
}

function checkWriteBack(context: Context, completed: Set<string>, violations: string[]): number {
  const transitions = new Map<string, number>();
  for (const request of context.jira.requests) {
    const match = /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/.exec(request.path);
    if (request.method === "POST" && match?.[1])
      transitions.set(match[1], (transitions.get(match[1]) ?? 0) + 1);
  }
  for (const key of completed) {
    const count = transitions.get(key) ?? 0;
    const status = context.jira.state.renderIssue(key).fields?.status as { name?: string } | undefined;
    if (count === 0 || status?.name !== "Done")
      violations.push(
        `Jira ${key}: completed in Cairn, but the write-back never reached Jira (status ${status?.name})`,
      );
    if (count > 1) violations.push(`Jira ${key}: the completion was written back ${count} times`);
  }
  return [...transitions.values()].reduce((sum, n) => sum + n, 0);
}

async function checkCalendar(context: Context, violations: string[]): Promise<number> {
  const calendar = context.google.state.calendars.get(context.google.state.primaryCalendarId);
  const live = [...(calendar?.events.values() ?? [])]
    .map((stored) => stored.json)
    .filter((event) => event.status !== "cancelled" && event.extendedProperties?.private?.cairnBlockId);
  const byBlock = new Map<string, number>();
  for (const event of live) {
    const id = event.extendedProperties?.private?.cairnBlockId as string;
    byBlock.set(id, (byBlock.get(id) ?? 0) + 1);
  }
  for (const [id, count] of byBlock)
    if (count > 1) violations.push(`block ${id} is on the calendar ${count} times`);
  const blocks = await withSuperuser(context, async (client) => {
    const { rows } = await client.query<{
      id: string;
      status: string;
      plan_version: number;
      start_at: Date;
      end_at: Date;
    }>(
      "SELECT id, status, plan_version, start_at, end_at FROM blocks WHERE workspace_id = $1 AND person_id = $2",
      [context.workspaceId, context.personId],
    );
    return new Map(rows.map((row) => [row.id, row]));
  });
  const describe = (id: string) => {
    const block = blocks.get(id);
    return block
      ? `${id.slice(0, 8)} v${block.plan_version} ${block.status} ${block.start_at.toISOString()}`
      : `${id} (no such block)`;
  };
  const isLive = (id: string) => ["planned", "accepted"].includes(blocks.get(id)?.status ?? "");
  const stale = [...byBlock.keys()].filter((id) => !isLive(id));
  const now = new Date();
  const missing = [...blocks.values()].filter((b) => isLive(b.id) && b.end_at > now && !byBlock.has(b.id));
  if (stale.length > 0)
    violations.push(
      `${stale.length} calendar events stand for blocks no plan keeps: ${stale.slice(0, 3).map(describe).join("; ")}`,
    );
  if (missing.length > 0)
    violations.push(
      `${missing.length} planned blocks never reached the calendar: ${missing
        .slice(0, 3)
        .map((b) => describe(b.id))
        .join("; ")}`,
    );
  return live.length;
}

async function checkPlans(context: Context, violations: string[]): Promise<void> {
  const current = await withSuperuser(context, async (client) => {
    const plans = await client.query<{ version: number }>(
      "SELECT version FROM plans WHERE workspace_id = $1 AND person_id = $2 ORDER BY version",
      [context.workspaceId, context.personId],
    );
    const versions = plans.rows.map((row) => row.version);
    if (versions.some((version, i) => version !== i + 1))
      violations.push(`plan versions are not 1..n: ${versions.slice(0, 20).join(",")}`);
    const current = versions.at(-1);
    const live = await client.query<{ plan_version: number; n: string }>(
      `SELECT plan_version, count(*) AS n FROM blocks
        WHERE workspace_id = $1 AND person_id = $2 AND status IN ('planned', 'accepted') AND start_at > now()
        GROUP BY plan_version`,
      [context.workspaceId, context.personId],
    );
    const versionsLive = live.rows.map((row) => row.plan_version);
    if (versionsLive.some((version) => version !== current))
      violations.push(
        `future blocks belong to plan versions ${versionsLive.join(",")}; the current one is ${current}`,
      );
    return current;
  });
  const schedule = await context.api.act<{ currentVersion: number }>("get_schedule", {}, { key: false });
  if (schedule.body.currentVersion !== current)
    violations.push(
      `get_schedule says version ${schedule.body.currentVersion} is current; the newest stored is ${current}`,
    );
}
