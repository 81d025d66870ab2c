/**
 * The console's JSON API under /admin/api: sign-in and setup, and what the pages read and change. Every
 * handler checks the viewer's role here, on the server; people's data goes through the same actions the
 * other faces call.
 */
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { Actor } from "../../engine/actions/define.ts";
import { zodIssues } from "../../engine/actions/registry.ts";
import { listAuditEntries } from "../../engine/db/repositories/audit-log.ts";
import { listConnectionRecords } from "../../engine/db/repositories/connections.ts";
import { deletePersonSessions } from "../../engine/db/repositories/console-sessions.ts";
import {
  type ConsoleRole,
  countOwners,
  ownersAmong,
  roleOf,
  saveConsolePassword,
  setConsoleRole,
} from "../../engine/db/repositories/console-users.ts";
import {
  listInstallationsWithDates,
  listNudgesPage,
  listPeoplePage,
} from "../../engine/db/repositories/console-views.ts";
import { listBlocks } from "../../engine/db/repositories/plans.ts";
import { findPersonById } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import { bodyReadError, CairnError, forbidden, invalidInput, notFound } from "../../engine/errors.ts";
import type { FailedJob } from "../../engine/jobs/port.ts";
import { loadPlanningProfile } from "../../engine/scheduling/input/profile.ts";
import { ProblemError, sendAnyError } from "../api/problem.ts";
import { type ConsoleAuth, sessionBody } from "../auth/console-auth.ts";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { assertSameOrigin, clearSessionCookie, originOf, setSessionCookie } from "../auth/request.ts";
import { type ConsoleSession, cookieValue } from "../auth/sessions.ts";
import { ConsoleSso, SSO_COOKIE, SsoRefusal, ssoConfigured } from "../auth/sso.ts";
import type { ConsoleEvents } from "./events.ts";
import { GoogleConsent, publicBase, StartConsent } from "./google-oauth.ts";
import { mcpSnippets } from "./mcp-snippets.ts";
import { DEFAULT_LIMIT, decodeAfter, decodeString, MAX_LIMIT, page } from "./pages.ts";
import { focusHeatmap, workspaceInsights } from "./workspace-insights.ts";

export interface ConsoleApiOptions {
  engine: Engine;
  auth: ConsoleAuth;
  events: ConsoleEvents;
  /** The queues the overview shows. */
  queues: readonly string[];
  /** Builds the Teams app package for this server's public URL; absent when Teams is not configured. */
  teamsPackage?: (publicUrl: string) => Buffer;
}

const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `use at most ${MAX_PASSWORD_LENGTH} characters`);
const Setup = z.strictObject({
  email: z.email("give an email address, e.g. you@example.com"),
  password: Password,
  name: z.string().trim().min(1).max(200).optional(),
});
const SignIn = z.object({
  email: z.string().trim().min(1, "give your email").max(320),
  password: z.string().min(1, "give your password").max(MAX_PASSWORD_LENGTH),
});
const Role = z.enum(["owner", "admin", "member"]);
const PersonPatch = z.strictObject({
  role: Role.optional(),
  timezone: z.string().min(1).max(100).optional(),
  workingHours: z.record(z.string(), z.unknown()).optional(),
});
const Limit = z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT);
const QueryText = z.string().trim().min(1).max(200).optional();
const QueryTime = z.iso.datetime({ offset: true }).optional();
const PageQuery = z.object({ cursor: z.string().max(500).optional(), limit: Limit });
const AuditQuery = PageQuery.extend({ actor: QueryText, action: QueryText, from: QueryTime, to: QueryTime });
const NudgeQuery = PageQuery.extend({ personId: z.uuid().optional() });
const ScheduleQuery = z.object({ from: QueryTime, to: QueryTime });
const KeptFocusQuery = z.object({ weeks: z.coerce.number().int().min(1).max(13).default(4) });
/** `personId`: also answer that person's get_insights, computed once with the aggregate (the Insights page). */
const WorkspaceInsightsQuery = z.object({ personId: z.string().optional() });
const PersonId = z.uuid("a person id (uuid) from GET /admin/api/people");

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidInput(`Invalid ${what}`, zodIssues(parsed.error));
  return parsed.data;
}

const RANK: Record<ConsoleRole, number> = { member: 0, admin: 1, owner: 2 };

function requireRole(session: ConsoleSession, role: ConsoleRole): void {
  if (RANK[session.role] < RANK[role])
    throw forbidden(
      `This needs the ${role} role; ${session.person.email} is ${session.role === "admin" ? "an" : "a"} ${session.role}.`,
    );
}

/** Failed jobs whose data names this workspace (or no workspace): other tenants' jobs stay hidden. */
function ofWorkspace(job: FailedJob, workspaceId: string): boolean {
  const data = job.data as { workspaceId?: unknown } | null;
  return (
    !data || typeof data !== "object" || data.workspaceId === undefined || data.workspaceId === workspaceId
  );
}

export function createConsoleApi(options: ConsoleApiOptions): Router {
  const { engine, auth, events } = options;
  const { services } = engine;
  const router = express.Router();
  router.use(express.json({ limit: "100kb" }));

  const signedIn = async (req: Request): Promise<ConsoleSession> => {
    const session = await auth.session(req);
    if (session) return session;
    throw new ProblemError(401, {
      title: "Not signed in",
      detail: "Sign in at /admin with your email and password.",
      setupAvailable: await auth.setupAvailable(req),
    });
  };

  /** The person behind :id: yourself, or (for admins) anyone in your workspace. */
  const personFor = async (session: ConsoleSession, id: unknown, selfAllowed: boolean): Promise<Actor> => {
    const personId = parse(PersonId, id, "person id");
    if (!(selfAllowed && personId === session.person.id)) requireRole(session, "admin");
    const person = await services.db.scoped(session.workspace.id, (tx) =>
      findPersonById(tx, session.workspace.id, personId),
    );
    if (!person) throw notFound(`No person ${personId} in workspace ${session.workspace.slug}.`);
    return { workspace: session.workspace, person };
  };

  router.get("/session", async (req, res) => {
    res.set("cache-control", "no-store").json(sessionBody(await signedIn(req)));
  });

  router.post("/setup", async (req, res) => {
    assertSameOrigin(req, services.config.CAIRN_PUBLIC_URL);
    const input = parse(Setup, req.body, "setup");
    const { cookie, session } = await auth.setup(req, input);
    setSessionCookie(req, res, cookie);
    res.set("cache-control", "no-store").json(sessionBody(session));
  });

  router.post("/session", async (req, res) => {
    assertSameOrigin(req, services.config.CAIRN_PUBLIC_URL);
    const input = parse(SignIn, req.body, "sign-in");
    const { cookie, session } = await auth.signIn(input.email, input.password, req.ip ?? "unknown");
    setSessionCookie(req, res, cookie);
    res.set("cache-control", "no-store").json(sessionBody(session));
  });

  router.delete("/session", async (req, res) => {
    const session = await auth.session(req);
    if (session) {
      await auth.signOut(req);
      events.closeSession(session.id);
    }
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  const sso = new ConsoleSso(services);

  router.get("/sso", (_req, res) => {
    res.set("cache-control", "no-store").json({ enabled: ssoConfigured(services.config) });
  });

  router.get("/sso/start", async (req, res) => {
    if (!ssoConfigured(services.config))
      throw notFound("Single sign-on is not configured: set CAIRN_OAUTH_ISSUER and CAIRN_OAUTH_CLIENT_ID.");
    const base = publicBase(req, services.config);
    try {
      await sso.start(req, res, base);
    } catch (failure) {
      if (!(failure instanceof SsoRefusal)) throw failure;
      res.redirect(303, `${base}/admin/?${new URLSearchParams({ sso_error: failure.message })}`);
    }
  });

  /** The issuer sends the browser back here; the answer is a redirect to the console, signed in or with why not. */
  router.get("/sso/callback", async (req, res) => {
    const base = publicBase(req, services.config);
    const refuse = (message: string) =>
      res
        .set("cache-control", "no-store")
        .redirect(303, `${base}/admin/?${new URLSearchParams({ sso_error: message })}`);
    if (!ssoConfigured(services.config)) throw notFound("Single sign-on is not configured.");
    const query = parse(
      z.object({
        code: z.string().max(4000).optional(),
        state: z.string().max(500).optional(),
        error: z.string().max(200).optional(),
      }),
      req.query,
      "SSO callback",
    );
    try {
      const verified = await sso.finish(req, res, base, cookieValue(req.get("cookie"), SSO_COOKIE), query);
      const opened = await auth.signInVerified(verified.email, { subject: verified.subject });
      if (!opened) {
        refuse(
          `${verified.email} has no access to this console. An owner gives access on the People page (Console password) or with: cairn admin create --email ${verified.email}`,
        );
        return;
      }
      setSessionCookie(req, res, opened.cookie);
      res.set("cache-control", "no-store").redirect(303, `${base}/admin/`);
    } catch (failure) {
      if (!(failure instanceof SsoRefusal)) throw failure;
      refuse(failure.message);
    }
  });

  router.get("/overview", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const started = performance.now();
    const databaseOk = await services.db.ping().then(
      () => true,
      () => false,
    );
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const queueOk = await services.jobs.ping().then(
      () => true,
      () => false,
    );
    const queues = queueOk
      ? await Promise.all(
          options.queues.map(async (name) => ({ name, ...(await services.jobs.counts(name)) })),
        )
      : [];
    const failed = queueOk
      ? (await Promise.all(options.queues.map((name) => services.jobs.failed(name, 20))))
          .flat()
          .filter((job) => ofWorkspace(job, session.workspace.id))
          .sort((a, b) => b.failedAt.localeCompare(a.failedAt))
          .slice(0, 50)
      : [];
    const connections = await services.db.scoped(session.workspace.id, (tx) => listConnectionRecords(tx));
    const recentErrors = [
      ...connections
        .filter((c) => c.lastError)
        .map((c) => ({
          at: c.lastSyncedAt ?? c.createdAt,
          source: `connection ${c.name} (${c.kind})`,
          message: c.lastError as string,
        })),
      ...failed.map((job) => ({
        at: job.failedAt,
        source: `job ${job.queue}/${job.name}`,
        message: job.error,
      })),
    ]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 20);
    res.json({
      database: { ok: databaseOk, kind: services.db.kind, latencyMs },
      queue: { ok: queueOk, kind: services.jobs.kind, queues },
      connections: connections.map((c) => ({
        id: c.id,
        kind: c.kind,
        name: c.name,
        status: c.status,
        lastSyncAt: c.lastSyncedAt,
        lastError: c.lastError,
      })),
      failedJobs: failed.map((job) => ({
        id: job.id,
        queue: job.queue,
        name: job.name,
        error: job.error,
        attempts: job.attempts,
        failedAt: job.failedAt,
      })),
      recentErrors,
    });
  });

  router.post("/jobs/:queue/:id/retry", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const queue = String(req.params.queue);
    const id = String(req.params.id);
    if (!options.queues.includes(queue))
      throw notFound(`No queue "${queue}"; the overview lists them: ${options.queues.join(", ")}.`);
    const job = (await services.jobs.failed(queue, 1000)).find((j) => j.id === id);
    if (!job || !ofWorkspace(job, session.workspace.id) || !(await services.jobs.retry(queue, id)))
      throw notFound(`No failed job ${id} in queue ${queue}; it may have been retried already.`);
    await auth.audit(session, "job_retry", `${queue}/${id}`, { name: job.name });
    res.status(202).json({ queue, id, status: "queued" });
  });

  router.get("/people", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const query = parse(PageQuery, req.query, "query");
    const result = await services.db.scoped(session.workspace.id, async (tx) => {
      const rows = await listPeoplePage(tx, decodeString(query.cursor), query.limit + 1);
      const owners = await ownersAmong(
        tx,
        rows.map((row) => row.id),
      );
      return { rows, owners };
    });
    const { items, nextCursor } = page(result.rows, query.limit, (last) => ({ after: last.email }));
    res.json({
      items: items.map((p) => ({
        id: p.id,
        email: p.email,
        name: p.name,
        role: roleOf({ ...p }, result.owners.has(p.id)),
        timezone: p.timezone,
        workingHours: p.workingHours,
        identities: p.identities,
      })),
      nextCursor,
    });
  });

  router.patch("/people/:id", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const target = await personFor(session, req.params.id, false);
    const patch = parse(PersonPatch, req.body, "person change");
    const workspaceId = session.workspace.id;
    if (patch.role !== undefined) {
      const { role } = patch;
      const current = await services.db.scoped(workspaceId, async (tx) =>
        roleOf(target.person, (await ownersAmong(tx, [target.person.id])).has(target.person.id)),
      );
      if ((role === "owner" || current === "owner") && session.role !== "owner" && role !== current)
        throw forbidden("Only an owner can make someone an owner or change an owner's role.");
      if (role !== current) {
        await services.db.scoped(workspaceId, async (tx) => {
          if (current === "owner" && (await countOwners(tx)) <= 1)
            throw invalidInput("The workspace's last owner cannot be demoted", [
              { path: "role", message: "make someone else an owner first" },
            ]);
          await setConsoleRole(tx, workspaceId, target.person.id, role);
        });
        await auth.audit(session, "role_change", target.person.email, { from: current, to: role });
      }
    }
    if (patch.timezone !== undefined || patch.workingHours !== undefined) {
      await engine.call(target, "http", "set_preferences", {
        ...(patch.timezone !== undefined && { timezone: patch.timezone }),
        ...(patch.workingHours !== undefined && { workingHours: patch.workingHours }),
      });
      await auth.audit(session, "person_update", target.person.email, {
        fields: Object.keys(patch).filter((k) => k !== "role"),
      });
    }
    const after = await services.db.scoped(workspaceId, async (tx) => {
      const [row] = await listPeoplePage(tx, undefined, 1, target.person.id);
      const owners = await ownersAmong(tx, [target.person.id]);
      return row ? { row, owner: owners.has(row.id) } : undefined;
    });
    if (!after) throw notFound("The person was removed meanwhile.");
    res.json({
      id: after.row.id,
      email: after.row.email,
      name: after.row.name,
      role: roleOf({ ...after.row }, after.owner),
      timezone: after.row.timezone,
      workingHours: after.row.workingHours,
      identities: after.row.identities,
    });
  });

  router.post("/people/:id/password", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "owner");
    const target = await personFor(session, req.params.id, false);
    const { password } = parse(z.strictObject({ password: Password }), req.body, "password");
    const passwordHash = await hashPassword(password);
    await services.db.scoped(session.workspace.id, (tx) =>
      saveConsolePassword(tx, {
        workspaceId: session.workspace.id,
        personId: target.person.id,
        passwordHash,
      }),
    );
    // A new password ends the person's other sessions (a reset after a leak must lock the old ones out).
    const ended = await services.db.system((tx) =>
      target.person.id === session.person.id
        ? Promise.resolve([])
        : deletePersonSessions(tx, target.person.id),
    );
    for (const id of ended) events.closeSession(id);
    await auth.audit(session, "console_password_set", target.person.email, {});
    res.status(204).end();
  });

  router.get("/people/:id/schedule", async (req, res) => {
    const session = await signedIn(req);
    const target = await personFor(session, req.params.id, true);
    const query = parse(ScheduleQuery, req.query, "query");
    res.json(
      await engine.call(target, "http", "get_schedule", {
        ...(query.from && { from: query.from }),
        ...(query.to && { to: query.to }),
      }),
    );
  });

  router.get("/people/:id/insights", async (req, res) => {
    const session = await signedIn(req);
    const target = await personFor(session, req.params.id, true);
    res.json(await engine.call(target, "http", "get_insights", {}));
  });

  router.get("/people/:id/kept-focus", async (req, res) => {
    const session = await signedIn(req);
    const target = await personFor(session, req.params.id, true);
    const { weeks } = parse(KeptFocusQuery, req.query, "query");
    res.json(await keptFocusOf(engine, target, weeks));
  });

  router.get("/insights/workspace", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const query = parse(WorkspaceInsightsQuery, req.query, "query");
    const alongside =
      query.personId === undefined ? undefined : await personFor(session, query.personId, true);
    res.json(await workspaceInsights(engine, session, alongside?.person));
  });

  router.get("/audit", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const query = parse(AuditQuery, req.query, "query");
    const rows = await services.db.scoped(session.workspace.id, (tx) =>
      listAuditEntries(
        tx,
        {
          actor: query.actor,
          action: query.action,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
        },
        decodeAfter(query.cursor),
        query.limit + 1,
      ),
    );
    res.json(page(rows, query.limit, (last) => ({ at: last.at, id: last.id })));
  });

  router.get("/nudges", async (req, res) => {
    const session = await signedIn(req);
    const query = parse(NudgeQuery, req.query, "query");
    const personId = session.role === "member" ? session.person.id : query.personId;
    if (session.role === "member" && query.personId && query.personId !== session.person.id)
      throw forbidden("A member sees only their own nudges; leave out personId.");
    const rows = await services.db.scoped(session.workspace.id, (tx) =>
      listNudgesPage(tx, personId, decodeAfter(query.cursor), query.limit + 1),
    );
    res.json(page(rows, query.limit, (last) => ({ at: last.createdAt, id: last.id })));
  });

  router.get("/bots", async (req, res) => {
    const session = await signedIn(req);
    const { config } = services;
    const base =
      originOf(req, config.CAIRN_PUBLIC_URL) +
      (config.CAIRN_PUBLIC_URL ? new URL(config.CAIRN_PUBLIC_URL).pathname.replace(/\/$/, "") : "");
    const oauthInstall = !!config.SLACK_CLIENT_ID;
    const installations = oauthInstall ? await slackInstallations(engine, session.workspace.slug) : [];
    res.json({
      slack: {
        configured: !!(config.SLACK_SIGNING_SECRET && (config.SLACK_BOT_TOKEN || config.SLACK_CLIENT_ID)),
        installUrl: oauthInstall ? `${base}/slack/install` : null,
        installations,
      },
      teams: {
        configured: !!config.MicrosoftAppId,
        packageUrl:
          config.MicrosoftAppId && options.teamsPackage ? `${base}/admin/api/bots/teams-package` : null,
      },
      mcp: { url: `${base}/mcp`, snippets: mcpSnippets(base) },
    });
  });

  router.get("/bots/teams-package", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const { config } = services;
    if (!config.MicrosoftAppId || !options.teamsPackage)
      throw notFound(
        "Teams is not configured: set MicrosoftAppId and MicrosoftAppPassword, then restart Cairn.",
      );
    const zip = options.teamsPackage(originOf(req, config.CAIRN_PUBLIC_URL));
    res
      .set({
        "content-type": "application/zip",
        "content-disposition": 'attachment; filename="cairn-teams.zip"',
      })
      .send(zip);
  });

  const google = new GoogleConsent(engine);

  router.get("/connections/google/oauth", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    res.json(google.status(publicBase(req, services.config)));
  });

  router.post("/connections/google/oauth", async (req, res) => {
    const session = await signedIn(req);
    requireRole(session, "admin");
    const input = parse(StartConsent, req.body, "Google consent request");
    const base = publicBase(req, services.config);
    const url = google.consentUrl(session, base, input.name);
    if (!url) {
      const status = google.status(base);
      throw new ProblemError(409, {
        title: "Google is not configured",
        detail: status.help,
        missing: status.missing,
      });
    }
    res.set("cache-control", "no-store").json({ url });
  });

  /** Google sends the browser here after its consent screen; the answer is a redirect to the Connections page. */
  router.get("/connections/google/callback", async (req, res) => {
    const base = publicBase(req, services.config);
    const back = (params: Record<string, string>) =>
      res
        .set("cache-control", "no-store")
        .redirect(303, `${base}/admin/connections?${new URLSearchParams(params)}`);
    const session = await auth.session(req);
    if (!session) {
      back({
        google: "error",
        message: "Your console session ended; sign in and add Google Calendar again.",
      });
      return;
    }
    if (session.role === "member") {
      back({ google: "error", message: "Only an admin or owner can add connections." });
      return;
    }
    const query = parse(
      z.object({
        code: z.string().max(2000).optional(),
        state: z.string().max(4000).optional(),
        error: z.string().max(200).optional(),
      }),
      req.query,
      "callback",
    );
    const outcome = await google.complete(session, base, query);
    if (outcome.ok) back({ google: "connected", connection: outcome.connectionId, name: outcome.name });
    else back({ google: "error", message: outcome.message });
  });

  router.get("/events", async (req, res) => {
    events.open(res, await signedIn(req));
  });

  router.use((req) => {
    throw notFound(`No console API route for ${req.method} ${req.baseUrl}${req.path}.`);
  });
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const unreadable = bodyReadError(error);
    if (!unreadable && !(error instanceof CairnError) && !(error instanceof ProblemError))
      services.log.error({ err: error }, "console API request failed");
    if (res.headersSent) {
      res.end();
      return;
    }
    sendAnyError(res, unreadable ?? error);
  });
  return router;
}

/** Slack teams installed for this Cairn workspace (OAuth installs), read from their sealed records. */
async function slackInstallations(
  engine: Engine,
  workspaceSlug: string,
): Promise<{ team: string; installedAt: string }[]> {
  const rows = await engine.services.db.system((tx) => listInstallationsWithDates(tx, "slack"));
  const found: { team: string; installedAt: string }[] = [];
  for (const row of rows) {
    try {
      const stored = JSON.parse(engine.services.secrets.open(row.sealed)) as {
        workspace?: string;
        installation?: { team?: { id?: string; name?: string }; enterprise?: { id?: string; name?: string } };
      };
      if (stored.workspace !== workspaceSlug) continue;
      const team = stored.installation?.team ?? stored.installation?.enterprise;
      found.push({ team: team?.name ?? team?.id ?? "unknown", installedAt: row.installedAt });
    } catch {
      // Sealed under another master key: not readable here, so not listed.
    }
  }
  return found;
}

/**
 * The focus a person kept (done or accepted blocks, routines left out) in the last `weeks` weeks, as minutes
 * by weekday and local hour in their zone: the Insights page's person heatmap, without the whole schedule
 * (get_schedule also runs the behaviour models for its at-risk list, which this needs none of).
 */
async function keptFocusOf(engine: Engine, target: Actor, weeks: number) {
  const now = engine.services.now();
  return engine.services.db.scoped(target.workspace.id, async (tx) => {
    const { timezone } = await loadPlanningProfile(tx, target.person.id);
    const blocks = await listBlocks(tx, target.person.id, {
      from: new Date(now.getTime() - weeks * 7 * 86_400_000).toISOString(),
      to: now.toISOString(),
      statuses: ["done", "accepted"],
    });
    const kept = blocks
      .filter((block) => block.kind !== "habit")
      .map((block) => ({ startAt: new Date(block.start), endAt: new Date(block.end), timezone }));
    return { timezone, weeks, grid: focusHeatmap(kept) };
  });
}
