/**
 * Coaching nudges on every face: list them, answer them (done, snooze, reschedule, skip), snooze them, and set
 * how Cairn nudges you. A nudge's buttons call answer_nudge and snooze_nudge, so a click in Slack, Teams or the
 * terminal, a typed "snooze 30" and an HTTP call all end here.
 */
import { z } from "zod";
import { appendEvent } from "../db/repositories/event-log.ts";
import {
  answerNudgeRow,
  getNudge,
  getNudgePreferencesJson,
  listNudgeRows,
  type NudgeRowStatus,
  rescheduleNudge,
  type StoredNudge,
  saveNudgePreferencesJson,
} from "../db/repositories/nudges.ts";
import { listBlocks } from "../db/repositories/plans.ts";
import { getTaskById } from "../db/repositories/tasks.ts";
import { Iso, IsoInput } from "../domain.ts";
import { conflict, invalidInput, notFound } from "../errors.ts";
import { Message } from "../messaging/message.ts";
import {
  MAX_DAILY_CAP,
  NUDGE_KINDS,
  NudgeAnswer,
  NudgeChannel,
  NudgeKind,
  NudgePreferences,
  NudgeStatus,
  nudgePreferencesFrom,
  QuietHours,
} from "../nudges/kinds.ts";
import { enqueueDelivery } from "../nudges/scheduler.ts";
import { type ActionContext, defineAction } from "./define.ts";
import { rescheduleTask, respondToBlock } from "./planning.ts";
import { completeTask } from "./tasks.ts";

const NudgeId = z.uuid().describe("The nudge's id (a UUID, as on the nudge's buttons or from list_nudges)");

export const Nudge = z.object({
  id: z.uuid(),
  kind: NudgeKind,
  status: NudgeStatus,
  text: z.string().describe("The nudge in one line"),
  message: Message.nullable().describe("The nudge as sent: heading, text and its buttons"),
  taskId: z.uuid().nullable(),
  blockId: z.uuid().nullable(),
  scheduledFor: Iso.describe("When it goes (or went) out"),
  sentAt: Iso.nullable(),
  actedAt: Iso.nullable(),
  answer: NudgeAnswer.nullable(),
  channel: z.string().nullable().describe("Where it was delivered: slack, teams, terminal, email"),
  attempts: z.number().int(),
  error: z.string().nullable().describe("Why it was not delivered (failed) or not sent (cancelled)"),
  snoozed: z.number().int().describe("How often it was snoozed"),
  createdAt: Iso,
});
export type Nudge = z.infer<typeof Nudge>;

function toNudge(row: StoredNudge): z.input<typeof Nudge> {
  const message = Message.safeParse(row.message);
  const answer = NudgeAnswer.safeParse(row.answer);
  const kind = NudgeKind.safeParse(row.kind);
  return {
    id: row.id,
    kind: kind.success ? kind.data : "morning_plan",
    status: row.status,
    text: row.text,
    message: message.success ? message.data : null,
    taskId: row.taskId,
    blockId: row.blockId,
    scheduledFor: row.scheduledFor,
    sentAt: row.sentAt,
    actedAt: row.actedAt,
    answer: answer.success ? answer.data : null,
    channel: row.channel,
    attempts: row.attempts,
    error: row.lastError,
    snoozed: row.snoozeCount,
    createdAt: row.createdAt,
  };
}

async function loadNudge(ctx: ActionContext, nudgeId: string): Promise<StoredNudge> {
  const nudge = await ctx.services.db.scoped(ctx.workspace.id, (tx) => getNudge(tx, nudgeId, ctx.person.id));
  if (!nudge) throw notFound(`No nudge ${nudgeId} of yours. See list_nudges for ids.`);
  return nudge;
}

const Cursor = z.object({ s: z.string(), i: z.uuid() });

function encodeCursor(row: StoredNudge): string {
  return Buffer.from(JSON.stringify({ s: row.scheduledFor, i: row.id })).toString("base64url");
}

function decodeCursor(cursor: string): { scheduledFor: string; id: string } {
  try {
    const parsed = Cursor.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { scheduledFor: parsed.s, id: parsed.i };
  } catch {
    throw invalidInput("cursor is not one list_nudges returned", [
      { path: "cursor", message: "pass nextCursor from the previous page unchanged, or leave it out" },
    ]);
  }
}

export const listNudges = defineAction({
  name: "list_nudges",
  title: "List my nudges",
  description:
    "Lists the coaching nudges Cairn scheduled or sent you (morning plan, block starting soon, block missed, deadline at risk, overload, end-of-day wrap-up, weekly review, streaks), newest first, with status (scheduled, sent, acted, dismissed, cancelled, failed), when it goes or went out, your answer and, for a failed one, why. Filter by status and by `since`; page with `cursor` (nextCursor of the previous page).",
  input: z.object({
    status: z
      .union([NudgeStatus, z.array(NudgeStatus).min(1).max(7)])
      .optional()
      .describe('One status or a list, e.g. "sent" or ["scheduled","sent"]'),
    since: IsoInput.optional().describe("Only nudges scheduled at or after this instant"),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional().describe("nextCursor from the previous page"),
  }),
  output: z.object({
    nudges: z.array(Nudge),
    nextCursor: z.string().nullable().describe("Pass as cursor for the next page; null on the last page"),
  }),
  annotations: { readOnlyHint: true },
  examples: ["show my nudges", "which reminders did I get today"],
  async run(ctx, input) {
    const statuses = input.status === undefined ? undefined : ([] as NudgeRowStatus[]).concat(input.status);
    const rows = await ctx.services.db.scoped(
      ctx.workspace.id,
      (tx) =>
        listNudgeRows(tx, ctx.person.id, {
          ...(statuses ? { statuses } : {}),
          ...(input.since ? { since: input.since } : {}),
          ...(input.cursor ? { before: decodeCursor(input.cursor) } : {}),
          limit: input.limit + 1,
        }),
      { snapshot: true },
    );
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return {
      nudges: page.map(toNudge),
      nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
    };
  },
});

const MAX_SNOOZE_MINUTES = 7 * 24 * 60;

async function snooze(ctx: ActionContext, nudge: StoredNudge, until: Date): Promise<z.input<typeof Nudge>> {
  const now = ctx.services.now();
  const updated = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
    const row = await rescheduleNudge(tx, nudge.id, now, until);
    if (!row) return undefined;
    await appendEvent(tx, {
      workspaceId: ctx.workspace.id,
      personId: ctx.person.id,
      taskId: nudge.taskId,
      blockId: nudge.blockId,
      type: "nudge_acted",
      payload: {
        nudgeId: nudge.id,
        kind: nudge.kind,
        answer: "snooze",
        until: until.toISOString(),
        via: ctx.via,
      },
      occurredAt: now,
    });
    return row;
  });
  if (!updated) throw conflict(`That nudge is ${nudge.status}; there is nothing to snooze.`);
  await enqueueDelivery(ctx.services, { workspaceId: ctx.workspace.id, ...updated });
  return toNudge(updated);
}

const NudgeOutcome = z.object({ nudge: Nudge, message: z.string() });

export const snoozeNudge = defineAction({
  name: "snooze_nudge",
  title: "Snooze a nudge",
  description:
    'Sends a nudge again later: give its nudgeId and either `minutes` (1 to 10080) or `until` (an ISO 8601 instant in the future). In chat, "snooze 30" snoozes the last nudge you got. Returns the nudge with its new time.',
  input: z.object({
    nudgeId: NudgeId,
    minutes: z
      .number()
      .int()
      .min(1)
      .max(MAX_SNOOZE_MINUTES)
      .optional()
      .describe("Snooze for this many minutes"),
    until: IsoInput.optional().describe("Or snooze until this instant"),
  }),
  output: NudgeOutcome,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["snooze 30", "snooze until tomorrow", "remind me again in an hour"],
  async run(ctx, input) {
    const now = ctx.services.now();
    if (input.minutes === undefined && input.until === undefined) {
      throw invalidInput("Say how long: give `minutes` or `until`", [
        { path: "minutes", message: "required unless until is given, e.g. 30" },
      ]);
    }
    if (input.minutes !== undefined && input.until !== undefined) {
      throw invalidInput("Give `minutes` or `until`, not both", [
        { path: "until", message: "leave it out when minutes is given" },
      ]);
    }
    const until = input.until
      ? new Date(input.until)
      : new Date(now.getTime() + (input.minutes ?? 0) * 60_000);
    if (until.getTime() <= now.getTime()) {
      throw invalidInput("until is in the past", [{ path: "until", message: "give a future instant" }]);
    }
    if (until.getTime() > now.getTime() + MAX_SNOOZE_MINUTES * 60_000) {
      throw invalidInput("Snoozes last at most 7 days", [
        { path: "until", message: "at most 7 days from now" },
      ]);
    }
    const nudge = await snooze(ctx, await loadNudge(ctx, input.nudgeId), until);
    return { nudge, message: `Snoozed until ${until.toISOString().slice(0, 16).replace("T", " ")} UTC.` };
  },
});

/** The window a "reschedule" answer moves the task's focus time into: from now until its due (or two days). */
function rescheduleWindow(now: Date, due: string | null): { start: string; end: string } {
  const soon = now.getTime() + 30 * 60_000;
  const dueMs = due ? Date.parse(due) : Number.NaN;
  const end =
    Number.isFinite(dueMs) && dueMs > soon
      ? Math.min(dueMs, now.getTime() + 2 * 86_400_000)
      : now.getTime() + 2 * 86_400_000;
  return { start: now.toISOString(), end: new Date(end).toISOString() };
}

export const answerNudge = defineAction({
  name: "answer_nudge",
  title: "Answer a nudge",
  description:
    'Answers a nudge: "done" (you did it: its task is completed), "snooze" (again in 30 minutes), "reschedule" (its task\'s focus time moves to the next free time before its due date, or to `when`, through reschedule_task) or "skip" (dismiss it). In chat, "done", "skip" or "reschedule to tomorrow" typed after a nudge answers the last one you got. Returns the nudge and what happened.',
  input: z.object({
    nudgeId: NudgeId,
    answer: NudgeAnswer,
    when: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'With "reschedule": where its focus time goes, in words ("tomorrow", "friday afternoon"), as reschedule_task reads them; left out: the next free time before its due date',
      ),
  }),
  output: NudgeOutcome.extend({
    taskId: z.uuid().nullable().describe("The task the answer acted on, if any"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["done", "skip", "not now", "reschedule to tomorrow"],
  async run(ctx, input) {
    const nudge = await loadNudge(ctx, input.nudgeId);
    if (input.answer === "snooze") {
      const until = new Date(ctx.services.now().getTime() + 30 * 60_000);
      const snoozed = await snooze(ctx, nudge, until);
      return { nudge: snoozed, taskId: nudge.taskId, message: "Snoozed for 30 minutes." };
    }
    if (nudge.status === "acted" || nudge.status === "dismissed") {
      return {
        nudge: toNudge(nudge),
        taskId: nudge.taskId,
        message: `You already answered this nudge (${nudge.answer ?? nudge.status}).`,
      };
    }
    let message: string;
    if (input.answer === "done") {
      if (nudge.taskId) {
        const task = await completeTask.run(ctx, { id: nudge.taskId, cascade: false });
        message = `Marked “${task.title}” done.`;
      } else {
        message = "Noted.";
      }
    } else if (input.answer === "reschedule") {
      if (!nudge.taskId) {
        throw conflict(
          "This nudge is not about a task; there is nothing to reschedule. Answer done, snooze or skip.",
        );
      }
      const task = await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
        getTaskById(tx, nudge.taskId as string),
      );
      // A missed block did not happen: it gives its time back, so the task is planned in full elsewhere.
      if (nudge.kind === "block_missed") {
        const now = ctx.services.now();
        const started = await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
          listBlocks(tx, ctx.person.id, {
            taskId: nudge.taskId as string,
            statuses: ["planned"],
            from: now.toISOString(),
            to: now.toISOString(),
          }),
        );
        for (const block of started) {
          await respondToBlock.run(ctx, { blockId: block.id, response: "delete" });
        }
      }
      const moved = await rescheduleTask.run(ctx, {
        taskId: nudge.taskId,
        ...(input.when ? { when: input.when } : rescheduleWindow(ctx.services.now(), task?.due ?? null)),
      });
      message = [moved.message, ...moved.warnings].join(" ");
    } else {
      message = "Skipped.";
    }
    const now = ctx.services.now();
    const status = input.answer === "skip" ? "dismissed" : "acted";
    await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      await answerNudgeRow(tx, nudge.id, now, status, input.answer);
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: nudge.taskId,
        blockId: nudge.blockId,
        type: status === "dismissed" ? "nudge_dismissed" : "nudge_acted",
        payload: { nudgeId: nudge.id, kind: nudge.kind, answer: input.answer, via: ctx.via },
        occurredAt: now,
      });
    });
    const updated = await loadNudge(ctx, nudge.id);
    return { nudge: toNudge(updated), taskId: nudge.taskId, message };
  },
});

export const setNudgePreferences = defineAction({
  name: "set_nudge_preferences",
  title: "Set how Cairn nudges me",
  description: `Changes your coaching nudges: which kinds you get (enabledKinds, any of ${NUDGE_KINDS.join(", ")}; an empty list turns nudges off), quiet hours in your time zone ({"start":"12:00","end":"13:00"}; may wrap midnight; null removes them), the most nudges a day (dailyCap, 0 to ${MAX_DAILY_CAP}, default 4) and where they go (channel: "chat" or "email"). Nudges only ever come inside your working hours and never during a meeting or a focus block. Fields you leave out stay as they are. Returns the preferences in effect.`,
  input: z.object({
    enabledKinds: z.array(NudgeKind).max(NUDGE_KINDS.length).optional(),
    quietHours: QuietHours.nullable().optional(),
    dailyCap: z.number().int().min(0).max(MAX_DAILY_CAP).optional(),
    channel: NudgeChannel.optional(),
  }),
  output: z.object({ preferences: NudgePreferences, message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  examples: ["no nudges between 12:00 and 13:00", "at most 2 nudges a day", "stop streak nudges"],
  async run(ctx, input) {
    if (input.quietHours && input.quietHours.start === input.quietHours.end) {
      throw invalidInput("quietHours.start and quietHours.end are the same", [
        { path: "quietHours.end", message: "give a different time, or null for no quiet hours" },
      ]);
    }
    const preferences = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const current = nudgePreferencesFrom(await getNudgePreferencesJson(tx, ctx.person.id));
      const next: NudgePreferences = {
        enabledKinds: input.enabledKinds ? [...new Set(input.enabledKinds)] : current.enabledKinds,
        quietHours: input.quietHours !== undefined ? input.quietHours : current.quietHours,
        dailyCap: input.dailyCap ?? current.dailyCap,
        channel: input.channel ?? current.channel,
      };
      await saveNudgePreferencesJson(tx, ctx.person.id, JSON.stringify(next));
      return next;
    });
    const changed = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
    return {
      preferences,
      message: changed.length
        ? `Updated ${changed.join(", ")}.`
        : "Nothing changed; these are your nudge preferences.",
    };
  },
});

export const nudgeActions = [listNudges, snoozeNudge, answerNudge, setNudgePreferences];
