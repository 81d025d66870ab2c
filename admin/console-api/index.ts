/**
 * The admin console, server side: its JSON API at /admin/api, its live events, and its built pages at
 * /admin. bin/server.ts mounts it; the actions API also accepts its session cookie (see cookieActor).
 */
import express, { type Request, type Router } from "express";
import type { Authenticated } from "../../engine/auth/authenticate.ts";
import { INSIGHTS_QUEUE } from "../../engine/behavior/insights-snapshots.ts";
import type { Engine } from "../../engine/engine.ts";
import { NUDGE_QUEUE } from "../../engine/nudges/scheduler.ts";
import { PLAN_QUEUE } from "../../engine/scheduling/service/replan.ts";
import { SYNC_QUEUE, WRITEBACK_QUEUE } from "../../engine/sync/service.ts";
import { ConsoleAuth } from "../auth/console-auth.ts";
import { ConsoleEvents, HEARTBEAT_MS } from "./events.ts";
import { createConsoleApi } from "./router.ts";
import { ConsoleFiles, defaultConsoleDist } from "./static.ts";

export const DEFAULT_QUEUES = [SYNC_QUEUE, WRITEBACK_QUEUE, PLAN_QUEUE, NUDGE_QUEUE, INSIGHTS_QUEUE] as const;

export interface ConsoleOptions {
  engine: Engine;
  /** The console's build (default: admin/console/dist). */
  distDir?: string;
  /** Queues shown on the overview (default: sync, writeback, plan). */
  queues?: readonly string[];
  teamsPackage?: (publicUrl: string) => Buffer;
  heartbeatMs?: number;
}

export interface AdminConsole {
  /** Mount at /admin. */
  router: Router;
  auth: ConsoleAuth;
  events: ConsoleEvents;
  /** The person a console session cookie signs in, for the actions API (CSRF checked for POST). */
  cookieActor(req: Request): Promise<Authenticated | undefined>;
  /** Ends the live event streams (before the server closes, so they do not hold the shutdown). */
  close(): void;
}

export function createAdminConsole(options: ConsoleOptions): AdminConsole {
  const { engine } = options;
  const auth = new ConsoleAuth(engine.services);
  const events = new ConsoleEvents(engine.services.changes, options.heartbeatMs ?? HEARTBEAT_MS);
  const files = new ConsoleFiles(options.distDir ?? defaultConsoleDist());
  files.warm();
  const router = express.Router();
  router.use(
    "/api",
    createConsoleApi({
      engine,
      auth,
      events,
      queues: options.queues ?? DEFAULT_QUEUES,
      teamsPackage: options.teamsPackage,
    }),
  );
  router.get("/{*path}", (req, res) => {
    files.serve(req, res, req.path.replace(/^\/+/, ""));
  });
  return {
    router,
    auth,
    events,
    async cookieActor(req) {
      if (!auth.cookieOf(req)) return undefined;
      const session = await auth.session(req);
      if (!session) return undefined;
      return { workspace: session.workspace, person: session.person, principal: `session:${session.id}` };
    },
    close: () => events.close(),
  };
}
