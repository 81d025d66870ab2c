import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { Actor } from "../../engine/actions/define.ts";
import { jsonSchemaOf, zodIssues } from "../../engine/actions/registry.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import {
  type Authenticated,
  authenticateBearer,
  authenticateFromAddress,
} from "../../engine/auth/authenticate.ts";
import type { Engine } from "../../engine/engine.ts";
import { bodyReadError, CairnError, invalidInput, rateLimited, unauthorized } from "../../engine/errors.ts";
import { sameSecret } from "../../engine/security/constant-time.ts";
import type { Limiter } from "../../engine/security/rate-limiter.ts";
import { createOrResetOwner } from "../auth/owners.ts";
import { idempotentActions } from "./idempotency.ts";
import type { HttpMetrics } from "./metrics.ts";
import { ProblemError, sendAnyError } from "./problem.ts";

export interface ApiRouterOptions {
  engine: Engine;
  /** Per-token call budget. Default: the engine's, shared with MCP. */
  limiter?: Limiter;
  metrics: HttpMetrics;
  /** Lets CLI commands on this machine act through the server that owns the embedded database. */
  controlToken?: () => string | undefined;
  /**
   * The person a console session cookie signs in (undefined: no session). Used when a request has no
   * Authorization header; throws the CSRF refusal for a state-changing request without the session's token.
   */
  cookieActor?: (req: Request) => Promise<Authenticated | undefined>;
}

type AuthedRequest = Request & { actor?: Authenticated };

const LocalCall = z.object({
  action: z.string().min(1),
  input: z.unknown().optional(),
  workspace: z.string().min(1),
  person: z.email().optional(),
});
const LocalToken = z.object({
  workspace: z.string().min(1),
  person: z.email(),
  admin: z.boolean().default(false),
});

export function createApiRouter(options: ApiRouterOptions): Router {
  const { engine, metrics } = options;
  const limiter = options.limiter ?? engine.services.limits.calls;
  const { authFailures } = engine.services.limits;
  const router = express.Router();
  router.use(express.json({ limit: "1mb" }));

  const authenticate = async (req: AuthedRequest, _res: Response, next: NextFunction) => {
    const fromCookie =
      req.get("authorization") === undefined && options.cookieActor
        ? await options.cookieActor(req)
        : undefined;
    req.actor =
      fromCookie ??
      (await authenticateFromAddress(authFailures, req.ip, () =>
        authenticateBearer(engine.services.db, req.get("authorization")),
      ));
    const wait = await limiter.take(req.actor.principal);
    if (wait > 0) {
      throw rateLimited("calls", wait);
    }
    next();
  };

  /** Every action with its schemas; `?name=a,b` or `?prefix=connect_` narrows it (the console's pages ask for a few). */
  router.get("/actions", authenticate, (req, res) => {
    const names = typeof req.query.name === "string" ? new Set(req.query.name.split(",")) : undefined;
    const prefix = typeof req.query.prefix === "string" ? req.query.prefix : undefined;
    res.json({
      actions: engine.registry
        .list()
        .filter((action) => (!names || names.has(action.name)) && (!prefix || action.name.startsWith(prefix)))
        .map((action) => ({
          name: action.name,
          title: action.title,
          description: action.description,
          scope: action.scope,
          annotations: action.annotations,
          inputSchema: jsonSchemaOf(action.input, "input"),
          outputSchema: jsonSchemaOf(action.output, "output"),
        })),
    });
  });

  const idempotent = idempotentActions({ engine, callerOf: (req: AuthedRequest) => req.actor });
  router.post("/actions/:name", authenticate, idempotent, async (req: AuthedRequest, res) => {
    const name = String(req.params.name);
    const stop = metrics.actionTimer(name, "http");
    try {
      const output = await engine.call(req.actor as Actor, "http", name, req.body ?? {});
      stop("ok");
      res.json(output);
    } catch (error) {
      stop("error");
      throw error;
    }
  });

  const control = async (req: Request) => {
    const expected = options.controlToken?.();
    await authenticateFromAddress(authFailures, req.ip, async () => {
      if (!expected || !sameSecret(req.get("x-cairn-control"), expected)) {
        throw unauthorized("Local control calls need the control token from the data dir's lock file.");
      }
    });
  };

  router.post("/local/call", async (req, res) => {
    await control(req);
    const body = LocalCall.safeParse(req.body);
    if (!body.success) throw invalidInput("Invalid local call", zodIssues(body.error));
    const actor = await engine.actorFor(body.data.workspace, body.data.person);
    res.json(await engine.call(actor, "cli", body.data.action, body.data.input ?? {}));
  });

  router.post("/local/token", async (req, res) => {
    await control(req);
    const body = LocalToken.safeParse(req.body);
    if (!body.success) throw invalidInput("Invalid token request", zodIssues(body.error));
    const issued = await issueApiToken(engine.services.db, {
      workspace: body.data.workspace,
      email: body.data.person,
      admin: body.data.admin,
    });
    res.json({
      token: issued.token,
      workspace: issued.workspace.slug,
      person: issued.person.email,
      admin: issued.person.isAdmin,
    });
  });

  router.post("/local/admin", async (req, res) => {
    await control(req);
    const owner = await createOrResetOwner(engine.services.db, req.body);
    res.json({ workspace: owner.workspace.slug, email: owner.person.email, created: owner.created });
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const unreadable = bodyReadError(error);
    if (unreadable) {
      sendAnyError(res, unreadable);
      return;
    }
    if (!(error instanceof CairnError) && !(error instanceof ProblemError))
      engine.services.log.error({ err: error }, "API request failed");
    sendAnyError(res, error);
  });
  return router;
}
