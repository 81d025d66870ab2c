/**
 * The delivery job: claims the nudge, checks it still matters (its task open, its window not over), sends it
 * through the Messenger port and records the outcome with a nudge_sent event. A send that throws is retried by
 * the job (attempts, backoff); after the last try the nudge is recorded as failed with the error, for the console.
 */
import { appendEvent } from "../db/repositories/event-log.ts";
import {
  cancelNudge,
  claimNudge,
  getNudgePreferencesJson,
  markNudgeFailed,
  markNudgeSent,
} from "../db/repositories/nudges.ts";
import { getTaskStatus } from "../db/repositories/tasks.ts";
import { whenReachable } from "../db/when-reachable.ts";
import type { JobContext, JobHandler } from "../jobs/port.ts";
import { Message } from "../messaging/message.ts";
import type { EngineServices } from "../services.ts";
import { nudgePreferencesFrom } from "./kinds.ts";
import { DELIVERY_ATTEMPTS, type DeliverJob } from "./scheduler.ts";

/** A claim older than this is taken over (its worker died between claim and send). */
export const CLAIM_LEASE_MS = 2 * 60_000;

export type DeliveryOutcome =
  | { outcome: "sent"; channel: string | null }
  | { outcome: "skipped" }
  | { outcome: "cancelled"; reason: string }
  | { outcome: "failed"; error: string };

const UNREACHABLE =
  "No channel reaches this person (connect Slack or Teams, open `cairn chat`, or set SMTP_URL for email).";

export async function deliverNudge(
  services: EngineServices,
  job: Pick<JobContext<DeliverJob>, "data" | "attempt"> & { id?: string },
): Promise<DeliveryOutcome> {
  const { workspaceId, nudgeId } = job.data;
  const now = services.now();
  const claimed = await services.db.scoped(workspaceId, async (tx) => {
    const nudge = await claimNudge(tx, nudgeId, now, CLAIM_LEASE_MS, job.id ?? null);
    if (!nudge) return undefined;
    let reason: string | undefined;
    if (nudge.expiresAt && Date.parse(nudge.expiresAt) < now.getTime()) reason = "its moment passed";
    if (nudge.taskId) {
      const status = await getTaskStatus(tx, nudge.taskId);
      if (status === "done" || status === "cancelled" || status === undefined) reason = "its task is closed";
    }
    if (reason) await cancelNudge(tx, nudge.id, now, reason);
    const preferences = nudgePreferencesFrom(await getNudgePreferencesJson(tx, nudge.personId));
    return { nudge, reason, channel: preferences.channel };
  });
  if (!claimed) return { outcome: "skipped" };
  if (claimed.reason) return { outcome: "cancelled", reason: claimed.reason };
  const { nudge } = claimed;
  // The weekly review is read at leisure: email first when email reaches the person; otherwise their choice.
  const prefer = claimed.channel === "email" || nudge.kind === "weekly_review" ? "email" : "chat";
  const message = Message.safeParse(nudge.message);
  const body = message.success
    ? message.data
    : { text: nudge.text, parts: [{ type: "text" as const, text: nudge.text }] };
  let delivery: Awaited<ReturnType<typeof services.messenger.send>>;
  try {
    delivery = await services.messenger.send({ workspaceId, personId: nudge.personId }, body, { prefer });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const final = job.attempt >= DELIVERY_ATTEMPTS;
    await services.db.scoped(workspaceId, (tx) => markNudgeFailed(tx, nudge.id, services.now(), text, final));
    services.log.warn({ nudgeId: nudge.id, attempt: job.attempt, final, err: text }, "nudge delivery failed");
    if (final) return { outcome: "failed", error: text };
    throw error;
  }
  const refused = delivery.reason ?? UNREACHABLE;
  const sentAt = services.now();
  // The message is out: a database that is restarting must not turn this into a failed try, which would put the
  // nudge back to scheduled and send it again. The record is retried until the database answers.
  await whenReachable(
    () =>
      services.db.scoped(workspaceId, async (tx) => {
        if (!delivery.delivered) {
          await markNudgeFailed(tx, nudge.id, sentAt, refused, true);
          return;
        }
        // Already recorded: a try whose commit went through before the connection was lost.
        if (!(await markNudgeSent(tx, nudge.id, sentAt, delivery.channel))) return;
        await appendEvent(tx, {
          workspaceId,
          personId: nudge.personId,
          taskId: nudge.taskId,
          blockId: nudge.blockId,
          type: "nudge_sent",
          payload: {
            nudgeId: nudge.id,
            kind: nudge.kind,
            channel: delivery.channel,
            sendHour: nudge.sendHour,
          },
          occurredAt: sentAt,
        });
      }),
    {
      onFailure: (error, attempt) =>
        services.log.warn({ nudgeId: nudge.id, attempt, err: error }, "could not record a sent nudge yet"),
    },
  );
  return delivery.delivered
    ? { outcome: "sent", channel: delivery.channel }
    : { outcome: "failed", error: refused };
}

export function deliveryHandler(services: EngineServices): JobHandler<DeliverJob> {
  return (job) => deliverNudge(services, job);
}
