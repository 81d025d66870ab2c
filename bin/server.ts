import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import { createMetrics, type HttpMetrics } from "../admin/api/metrics.ts";
import { sendError } from "../admin/api/problem.ts";
import { createApiRouter } from "../admin/api/router.ts";
import { type AdminConsole, type ConsoleOptions, createAdminConsole } from "../admin/console-api/index.ts";
import { teamsAppPackage } from "../bots/teams/app-package.ts";
import type { Engine } from "../engine/engine.ts";
import { bodyReadError, CairnError, ErrorCode, notFound } from "../engine/errors.ts";

export interface Mount {
  path: string;
  router: Router;
}

export interface ServerOptions {
  engine: Engine;
  port: number;
  host: string;
  controlToken?: () => string | undefined;
  /** Extra routers from other faces (MCP, webhooks, console). */
  mounts?: Mount[];
  metrics?: HttpMetrics;
  /** The admin console at /admin (default: on, serving admin/console/dist); false leaves it out. */
  console?: false | Omit<ConsoleOptions, "engine">;
}

export interface RunningServer {
  url: string;
  app: Express;
  server: Server;
  metrics: HttpMetrics;
  /** The admin console, when mounted. */
  console?: AdminConsole;
  /** Stops accepting, lets in-flight requests finish (up to timeoutMs), then closes. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * "ok", "timeout" or "error". The error's text (host names, addresses) goes to the log, never to the
 * unauthenticated caller of /readyz.
 */
async function withTimeout(
  promise: Promise<void>,
  ms: number,
  onError: (error: unknown) => void,
): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(() => "ok"),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("timeout"), ms);
      }),
    ]);
  } catch (error) {
    onError(error);
    return "error";
  } finally {
    clearTimeout(timer);
  }
}

export function buildApp(
  options: ServerOptions & { metrics: HttpMetrics; adminConsole?: AdminConsole },
): Express {
  const { engine, metrics, adminConsole } = options;
  const app = express();
  app.disable("x-powered-by");
  // req.ip is the client address the failed-authentication limit counts: behind N proxies, the Nth from the right.
  app.set("trust proxy", engine.services.config.CAIRN_TRUST_PROXY);
  app.use((req, res, next) => {
    const started = performance.now();
    res.on("finish", () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.baseUrl || "unmatched";
      metrics.observeRequest(req.method, route, res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const failed = (check: string) => (error: unknown) =>
      engine.services.log.warn({ err: error, check }, "readiness check failed");
    const [db, queue] = await Promise.all([
      withTimeout(engine.services.db.ping(), 2_000, failed("database")),
      withTimeout(engine.services.jobs.ping(), 2_000, failed("queue")),
    ]);
    const ready = db === "ok" && queue === "ok";
    res.status(ready ? 200 : 503).json({
      status: ready ? "ready" : "not ready",
      checks: {
        database: { kind: engine.services.db.kind, status: db },
        queue: { kind: engine.services.jobs.kind, status: queue },
      },
    });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(
    "/api",
    createApiRouter({
      engine,
      metrics,
      controlToken: options.controlToken,
      cookieActor: adminConsole?.cookieActor,
    }),
  );
  if (adminConsole) {
    app.get("/", (_req, res) => res.redirect(302, "/admin"));
    app.use("/admin", adminConsole.router);
  }
  for (const mount of options.mounts ?? []) app.use(mount.path, mount.router);

  // Last: no route answers with Express's HTML pages (and their stack traces); every answer is problem JSON.
  app.use((req, res) => {
    sendError(res, notFound(`No route for ${req.method} ${req.path}; the API is under /api/actions.`));
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const unreadable = bodyReadError(error);
    if (!unreadable && !(error instanceof CairnError))
      engine.services.log.error({ err: error }, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, unreadable ?? error);
  });
  return app;
}

/** The one line a person sees when the port is taken (instead of an EADDRINUSE stack). */
function portInUse(port: number, host: string): CairnError {
  return new CairnError(
    ErrorCode.Unavailable,
    `PORT ${port} is already in use on ${host} (another program is listening at ${host}:${port}). Stop it, or set PORT to a free port.`,
  );
}

/** Fails fast, before the database opens, when something already listens on the port. */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? portInUse(port, host) : error),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const metrics = options.metrics ?? createMetrics();
  const { config } = options.engine.services;
  const adminConsole =
    options.console === false
      ? undefined
      : createAdminConsole({
          engine: options.engine,
          teamsPackage: config.MicrosoftAppId
            ? (publicUrl) => teamsAppPackage({ appId: config.MicrosoftAppId as string, publicUrl })
            : undefined,
          ...options.console,
        });
  const app = buildApp({ ...options, metrics, adminConsole });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "EADDRINUSE" ? portInUse(options.port, options.host) : error;
  });
  // Longer than common client and proxy idle timeouts, so a reused keep-alive socket is not closed mid-request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // While closing, a request in flight must not leave its keep-alive connection open afterwards: it would
  // hold the shutdown for the whole timeout. Its response says "Connection: close" (when its headers are not
  // sent yet) and, once it ends, idle connections are closed again.
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  const endKeepAlive = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };
  server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (closing) endKeepAlive(res);
    inFlight.add(res);
    res.once("close", () => {
      inFlight.delete(res);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
  return {
    url,
    app,
    server,
    metrics,
    console: adminConsole,
    async close(timeoutMs = 10_000) {
      closing = true;
      // Live event streams never finish on their own: end them first so they do not hold the drain.
      adminConsole?.close();
      for (const res of inFlight) endKeepAlive(res);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const outcome = await withTimeout(closed, timeoutMs, () => {});
      if (outcome !== "ok") server.closeAllConnections();
    },
  };
}
