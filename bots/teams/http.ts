/**
 * `POST /api/messages`: the Bot Framework messaging endpoint. The JWT is checked first (any failure is a 401 and
 * nothing runs), then the activity goes through the adapter to the bot; invoke responses are returned as the
 * channel expects them. Teams resends an activity it got no answer to in 15 s: a redelivered activity (same
 * conversation and activity id) is acknowledged and not run again.
 */
import type { Activity } from "botbuilder";
import express, { type Router } from "express";
import type { TeamsAdapter } from "./adapter.ts";
import type { CairnTeamsBot, TeamsBotLog } from "./bot.ts";

export const MESSAGES_PATH = "/api/messages";

/** True when this process is the first to take the delivery (act on it); false for a redelivery. */
export type ClaimDelivery = (deliveryId: string) => Promise<boolean>;

export function teamsRouter(
  adapter: TeamsAdapter,
  bot: CairnTeamsBot,
  log: TeamsBotLog,
  claim?: ClaimDelivery,
): Router {
  const router = express.Router();
  router.post(MESSAGES_PATH, express.json({ limit: "1mb" }), async (req, res) => {
    const body = req.body as unknown;
    if (typeof body !== "object" || body === null || Array.isArray(body) || !("type" in body)) {
      res.status(400).json({ error: "expected a Bot Framework activity" });
      return;
    }
    const activity = body as Activity;
    const header = req.headers.authorization ?? "";
    let auth: Awaited<ReturnType<TeamsAdapter["authenticate"]>>;
    try {
      auth = await adapter.authenticate(activity, header);
    } catch (error) {
      if ((error as { statusCode?: unknown }).statusCode === 500) {
        log.error({ err: error }, "Teams: could not load the Bot Framework signing keys");
        res.status(503).json({ error: "cannot verify the token right now" });
        return;
      }
      log.warn({ reason: (error as Error).message }, "Teams: refused an activity without a valid token");
      res.status(401).json({ error: "Unauthorized" });
      return;
    }
    if (claim && typeof activity.id === "string" && activity.id) {
      const deliveryId = `${activity.conversation?.id ?? ""}|${activity.id}`;
      if (!(await claim(deliveryId))) {
        log.info({ type: activity.type }, "Teams: activity already handled");
        res.status(200).json({});
        return;
      }
    }
    try {
      const invoke = await adapter.run(auth, activity, (context) => bot.run(context));
      if (invoke) res.status(invoke.status).json(invoke.body ?? {});
      else res.status(200).end();
    } catch (error) {
      log.error({ err: error, type: activity.type }, "Teams: the activity failed");
      if (!res.headersSent) res.status(500).json({ error: "the bot failed on this activity" });
    }
  });
  return router;
}
