/**
 * Proactive Teams messages: a message model sent to a person in the personal chat whose conversation reference
 * was stored when they last wrote to the bot (or to a reference given directly), through
 * `adapter.continueConversationAsync`. Teams' per-conversation limits are respected before sending (7 messages
 * per second, 8 per 2 s, 60 per 30 s, 1800 per hour); 429 (with Retry-After) and 5xx are retried with
 * exponential backoff; a delivery that still fails is logged and recorded.
 */
import { type ConversationReference, MessageFactory } from "botbuilder";
import { type Messenger, notDelivered } from "../../engine/messaging/messenger.ts";
import { nudgeIdOf } from "../../engine/nudges/message.ts";
import type { Message } from "../conversation/message.ts";
import type { TeamsAdapter } from "./adapter.ts";
import { cardAttachment, type TeamsBotLog, throwIfRefused } from "./bot.ts";

export interface PersonRef {
  workspaceId: string;
  personId: string;
}

export interface DeliveryFailure {
  to: string;
  at: Date;
  attempts: number;
  status?: number;
  error: string;
}

export type SendResult =
  | { ok: true; activityId?: string; attempts: number }
  | { ok: false; failure: DeliveryFailure };

export interface TeamsMessengerOptions {
  adapter: TeamsAdapter;
  /** The stored reference for a person (teams_conversations), undefined when they never wrote to the bot. */
  findReference(person: PersonRef): Promise<Partial<ConversationReference> | undefined>;
  log: TeamsBotLog;
  /** Attempts in all, first included (default 5). */
  maxAttempts?: number;
  /** First backoff in ms, doubled each retry (default 500); Retry-After wins when larger. */
  baseDelayMs?: number;
  /** Longest single wait (default 60 s). */
  maxDelayMs?: number;
  sleep?(ms: number): Promise<void>;
  now?(): number;
  /** After a delivery that carried a nudge: lets the conversation remember it ("snooze 30" answers it). */
  onNudgeDelivered?(to: PersonRef, reference: Partial<ConversationReference>, nudgeId: string): Promise<void>;
}

export interface SendOptions {
  /** The nudge this message delivers; the person's next "snooze 30" or "done" answers it. */
  nudgeId?: string;
}

/** Teams' documented per-bot, per-conversation limits: [window ms, messages]. */
export const TEAMS_CONVERSATION_LIMITS: readonly [number, number][] = [
  [1_000, 7],
  [2_000, 8],
  [30_000, 60],
  [3_600_000, 1_800],
];

/** Sliding windows per conversation: how long to wait before the next message may go. */
export class ConversationRateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly limits: readonly [number, number][] = TEAMS_CONVERSATION_LIMITS) {}

  /** Milliseconds to wait before sending in `conversation` at `now` (0: go ahead). */
  delay(conversation: string, now: number): number {
    const longest = Math.max(...this.limits.map(([window]) => window));
    const times = (this.sent.get(conversation) ?? []).filter((t) => t > now - longest);
    this.sent.set(conversation, times);
    let wait = 0;
    for (const [window, max] of this.limits) {
      const inWindow = times.filter((t) => t > now - window);
      if (inWindow.length >= max) {
        const oldest = inWindow[inWindow.length - max] ?? now;
        wait = Math.max(wait, oldest + window - now);
      }
    }
    return wait;
  }

  record(conversation: string, at: number): void {
    const times = this.sent.get(conversation) ?? [];
    times.push(at);
    this.sent.set(conversation, times);
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const value of [e.statusCode, e.status, e.response?.status])
    if (typeof value === "number") return value;
  return undefined;
}

function retryAfterMs(error: unknown, now: number): number | undefined {
  const headers = (error as { response?: { headers?: { get?(name: string): string | undefined } } }).response
    ?.headers;
  const raw = headers?.get?.("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const retryable = (status: number | undefined) =>
  status === undefined || status === 429 || status === 408 || status >= 500;

export class TeamsMessenger {
  readonly failures: DeliveryFailure[] = [];
  private readonly limiter = new ConversationRateLimiter();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: TeamsMessengerOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Sends `message` to a person (their stored personal chat) or to a conversation reference. */
  async send(
    to: PersonRef | Partial<ConversationReference>,
    message: Message,
    options: SendOptions = {},
  ): Promise<SendResult> {
    const label = "personId" in to ? `person ${to.personId}` : `conversation ${to.conversation?.id ?? "?"}`;
    const stored = "personId" in to ? await this.options.findReference(to as PersonRef) : to;
    if (!stored?.conversation?.id || !stored.serviceUrl)
      return this.fail(
        label,
        0,
        undefined,
        "no Teams conversation for this person (they never wrote to the bot)",
      );
    // A new message in the conversation, not a reply to the activity the reference was taken from.
    const { activityId: _replyTo, ...reference } = stored;
    const conversation = stored.conversation.id;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const base = this.options.baseDelayMs ?? 500;
    const cap = this.options.maxDelayMs ?? 60_000;
    let lastError: unknown;
    let attempts = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const wait = this.limiter.delay(conversation, this.now());
      if (wait > 0) await this.sleep(wait);
      this.limiter.record(conversation, this.now());
      attempts = attempt;
      try {
        let activityId: string | undefined;
        // The adapter's onTurnError would swallow a failure inside the turn: keep it and rethrow here.
        let failed: { error: unknown } | undefined;
        await this.options.adapter.continueConversationAsync(
          this.options.adapter.settings.MicrosoftAppId,
          reference,
          async (context) => {
            try {
              // Proactive: a new message in the conversation (POST .../activities), not a reply.
              (context.activity as { id?: string }).id = undefined;
              const activity = MessageFactory.attachment(cardAttachment(message));
              activity.summary = message.text.slice(0, 200);
              const sent = await context.sendActivity(activity);
              throwIfRefused(sent);
              activityId = sent?.id;
            } catch (error) {
              failed = { error };
            }
          },
        );
        if (failed) throw failed.error;
        if (options.nudgeId && "personId" in to && this.options.onNudgeDelivered)
          await this.options
            .onNudgeDelivered(to as PersonRef, stored, options.nudgeId)
            .catch((error) => this.options.log.warn({ err: error }, "Teams: could not remember the nudge"));
        return activityId === undefined
          ? { ok: true, attempts: attempt }
          : { ok: true, activityId, attempts: attempt };
      } catch (error) {
        lastError = error;
        const status = statusOf(error);
        if (!retryable(status) || attempt === maxAttempts) break;
        const backoff = Math.min(cap, base * 2 ** (attempt - 1));
        const delay = Math.min(cap, Math.max(backoff, retryAfterMs(error, this.now()) ?? 0));
        this.options.log.warn(
          { to: label, status, attempt, delayMs: delay },
          "Teams: delivery failed, retrying",
        );
        await this.sleep(delay);
      }
    }
    return this.fail(
      label,
      attempts,
      statusOf(lastError),
      (lastError as Error)?.message ?? String(lastError),
    );
  }

  private fail(to: string, attempts: number, status: number | undefined, error: string): SendResult {
    const failure: DeliveryFailure = { to, at: new Date(this.now()), attempts, error };
    if (status !== undefined) failure.status = status;
    this.failures.push(failure);
    if (this.failures.length > 100) this.failures.shift();
    this.options.log.error({ ...failure }, "Teams: could not deliver a message");
    return { ok: false, failure };
  }
}

/** The Teams messenger as the engine's Messenger port: not delivered when the person has no Teams chat. */
export function teamsAsMessenger(teams: TeamsMessenger): Messenger {
  return {
    async send(to, message) {
      const nudgeId = nudgeIdOf(message);
      const result = await teams.send(
        { workspaceId: to.workspaceId, personId: to.personId },
        message,
        nudgeId ? { nudgeId } : {},
      );
      if (result.ok) return { delivered: true, channel: "teams" };
      if (result.failure.attempts === 0) return notDelivered;
      throw new Error(
        `Teams delivery failed after ${result.failure.attempts} attempts: ${result.failure.error}`,
      );
    },
  };
}
