/**
 * Webhooks in: `POST /webhooks/<kind>` (optionally `/:connectionId`) for every connector with a `webhook`, and
 * `/webhooks/<kind>` for push-channel notifications of connectors with `pushChannels`.
 * The raw body is kept for the HMAC; a bad signature is answered 401 and nothing is stored or queued.
 * A good one enqueues a targeted sync (deduped by job id) and answers 202.
 * An unsigned subscription handshake (a verification token, as Notion sends) is captured only while an admin
 * has a set-up window open for that connection; any other unsigned request is a 401.
 */

import express, { type NextFunction, type Request, type Response, type Router } from "express";
import {
  allConnectionsOfKind,
  captureWebhookToken,
  markWebhookVerified,
} from "../db/repositories/connections.ts";
import { findChannel } from "../db/repositories/webhook-channels.ts";
import type { Logger } from "../logger.ts";
import { sameSecret } from "../security/constant-time.ts";
import type { EngineServices } from "../services.ts";
import type { AnyConnector, WebhookRequest } from "./connector.ts";

export interface WebhookEnvironment {
  services: EngineServices;
  connectorOf(kind: string): AnyConnector | undefined;
  enqueueSync(
    data: { workspaceId: string; connectionId: string; scopeIds?: string[]; externalIds?: string[] },
    delayMs?: number,
  ): Promise<string>;
  log: Logger;
}

function headersOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createWebhookRouter(env: WebhookEnvironment): Router {
  const { services, log } = env;
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: "1mb" }));

  const requestOf = (req: Request): WebhookRequest => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: unknown;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody.toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }
    return { headers: headersOf(req), rawBody, body };
  };

  // Connectors with push channels (opened by maintainChannels) get `/webhooks/<kind>` for their notifications:
  // the channel id routes it, the channel's own token proves it.
  router.post("/:kind", async (req: Request, res: Response, next: NextFunction) => {
    const push = env.connectorOf(String(req.params.kind))?.pushChannels;
    if (!push) {
      next();
      return;
    }
    const request = requestOf(req);
    const channelId = push.channelId(request);
    if (!channelId) {
      res.status(400).json({ error: `missing ${push.channelIdHeader}` });
      return;
    }
    const channel = await services.db.system((tx) => findChannel(tx, channelId));
    let expected: string | undefined;
    try {
      expected = channel ? services.secrets.open(channel.tokenSealed) : undefined;
    } catch {
      expected = undefined;
    }
    if (!channel || !expected || !sameSecret(push.channelToken(request), expected)) {
      res.status(401).json({ error: "unknown channel or bad channel token" });
      return;
    }
    if (push.isHandshake(request)) {
      res.status(200).json({ ok: true });
      return;
    }
    await env.enqueueSync({
      workspaceId: channel.workspaceId,
      connectionId: channel.connectionId,
      scopeIds: [channel.scope],
    });
    res.status(200).json({ accepted: true });
  });

  router.post(["/:kind", "/:kind/:connectionId"], async (req: Request, res: Response) => {
    const kind = String(req.params.kind);
    const connectionId = typeof req.params.connectionId === "string" ? req.params.connectionId : undefined;
    const connector = env.connectorOf(kind);
    if (!connector?.webhook) {
      res.status(404).json({ error: `no webhooks for "${kind}"` });
      return;
    }
    if (connectionId !== undefined && !uuidPattern.test(connectionId)) {
      res.status(404).json({ error: "unknown connection" });
      return;
    }
    const request = requestOf(req);
    const candidates = (await services.db.system((tx) => allConnectionsOfKind(tx, kind))).filter(
      (connection) => connection.status !== "disabled" && (!connectionId || connection.id === connectionId),
    );
    if (candidates.length === 0) {
      res.status(404).json({ error: "no connection receives these webhooks" });
      return;
    }

    let first: ReturnType<NonNullable<AnyConnector["webhook"]>["handle"]>;
    try {
      first = connector.webhook.handle(request);
    } catch {
      first = { kind: "ignore", reason: "unreadable body" };
    }
    if (first.kind === "handshake") {
      const now = services.now();
      const open = candidates.filter(
        (connection) =>
          connection.webhookSetupUntil !== null && Date.parse(connection.webhookSetupUntil) > now.getTime(),
      );
      // Without a connection id in the URL, a handshake is only routed when exactly one window is open.
      const target = open.length === 1 ? open[0] : undefined;
      const token = first.verificationToken;
      const captured =
        target !== undefined &&
        token !== undefined &&
        (await services.db.scoped(target.workspaceId, (tx) =>
          captureWebhookToken(tx, target.id, services.secrets.seal(token), now),
        ));
      if (!captured || !target) {
        log.warn({ kind, windows: open.length }, "unsigned webhook handshake refused: no set-up window open");
        res.status(401).json({
          error:
            open.length > 1
              ? "several webhook set-up windows are open: use the connection's own URL, /webhooks/<kind>/<connection id>"
              : `no webhook set-up window is open for this connection, or its secret is already set; an admin opens one with \`cairn connect ${kind} --webhook\``,
        });
        return;
      }
      log.info({ connection: target.id, kind }, "webhook verification token captured for this connection");
      services.changes.notify({ kind: "connections", workspaceId: target.workspaceId, ids: [target.id] });
      res.status(first.respond.status).json(first.respond.body);
      return;
    }

    const matched = candidates.find((connection) => {
      if (!connection.webhookSecretSealed) return false;
      try {
        return (
          connector.webhook?.verify(request, services.secrets.open(connection.webhookSecretSealed)) === true
        );
      } catch {
        return false;
      }
    });
    if (!matched) {
      log.warn({ kind }, "webhook with a bad or missing signature refused");
      res.status(401).json({ error: "invalid signature" });
      return;
    }
    if (matched.webhookSecretSource === "captured") {
      await services.db.scoped(matched.workspaceId, (tx) => markWebhookVerified(tx, matched.id));
      log.info({ connection: matched.id, kind }, "captured webhook secret verified by a signed event");
    }
    if (first.kind === "ignore") {
      res.status(200).json({ ignored: first.reason });
      return;
    }
    const jobId = await env.enqueueSync({
      workspaceId: matched.workspaceId,
      connectionId: matched.id,
      ...(first.scopeIds ? { scopeIds: first.scopeIds } : {}),
      ...(first.externalIds ? { externalIds: first.externalIds } : {}),
    });
    res.status(202).json({ accepted: true, job: jobId });
  });
  return router;
}
