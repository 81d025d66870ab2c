/**
 * Outgoing Slack messages (the Slack side of the engine's Messenger port): a message model drawn as Block Kit
 * and posted with chat.postMessage, retried with backoff on 429 (waiting Retry-After) and on 5xx or network
 * errors, never on Slack's own refusals (channel_not_found, ...). A delivery that still fails is logged and
 * reported to the caller, never thrown.
 */
import { type types, webApi } from "@slack/bolt";
import type { Logger } from "../../engine/logger.ts";
import type { Message } from "../conversation/message.ts";
import { type SlackBlock, toBlockKit } from "./block-kit.ts";

type WebClient = InstanceType<typeof webApi.WebClient>;

/** Where a message goes: a channel (optionally a thread), or a Slack user (their DM with the app). */
export type SlackTarget = { channel: string; threadTs?: string } | { user: string };

export interface SlackSendResult {
  ok: boolean;
  channel?: string;
  ts?: string;
  attempts: number;
  error?: string;
}

export interface SlackSendOptions {
  log: Logger;
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First backoff for 5xx and network errors (default 200 ms), doubled each time, at most 10 s. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Slack-only additions to the drawn blocks (e.g. an Edit button that opens the task modal). */
  decorate?: (blocks: SlackBlock[]) => SlackBlock[];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A WebClient for outgoing messages: it gives 429s back to us (rejectRateLimitedCalls) and does not retry by
 * itself, so the retry policy and its record are ours.
 */
export function sendingClient(token: string, slackApiUrl?: string): WebClient {
  return new webApi.WebClient(token, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
}

/** How long to wait before trying again, or undefined when the failure is final. */
function retryDelay(error: unknown, attempt: number, backoffMs: number): number | undefined {
  const code = (error as { code?: string }).code;
  if (code === webApi.ErrorCode.RateLimitedError) {
    const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
    return Math.max(0, seconds) * 1000;
  }
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    if (status === 429 || status >= 500) return Math.min(backoffMs * 2 ** attempt, 10_000);
    return undefined;
  }
  if (code === webApi.ErrorCode.RequestError) return Math.min(backoffMs * 2 ** attempt, 10_000);
  return undefined;
}

function describe(error: unknown): string {
  const data = (error as { data?: { error?: string } }).data;
  return data?.error ?? (error as Error).message ?? String(error);
}

/** Runs one Web API call with the retry policy above. */
export async function withSlackRetries<T>(
  call: () => Promise<T>,
  options: SlackSendOptions,
  what: string,
): Promise<{ ok: true; value: T; attempts: number } | { ok: false; error: string; attempts: number }> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: true, value: await call(), attempts: attempt + 1 };
    } catch (error) {
      const delay = retryDelay(error, attempt, options.backoffMs ?? 200);
      if (delay === undefined || attempt + 1 >= attempts) {
        options.log.warn(
          { err: error, call: what, attempts: attempt + 1, slackError: describe(error) },
          "slack delivery failed",
        );
        return { ok: false, error: describe(error), attempts: attempt + 1 };
      }
      options.log.info({ call: what, attempt: attempt + 1, delayMs: delay }, "slack call retried");
      await sleep(delay);
    }
  }
}

/** Sends a message model to a channel, thread or person (opening the DM first). */
export async function sendSlackMessage(
  client: WebClient,
  target: SlackTarget,
  message: Message,
  options: SlackSendOptions,
): Promise<SlackSendResult> {
  let channel: string;
  let threadTs: string | undefined;
  let opened = 0;
  if ("user" in target) {
    const open = await withSlackRetries(
      () => client.conversations.open({ users: target.user }),
      options,
      "conversations.open",
    );
    if (!open.ok) return { ok: false, attempts: open.attempts, error: open.error };
    opened = open.attempts;
    const id = open.value.channel?.id;
    if (!id) return { ok: false, attempts: opened, error: "no_channel" };
    channel = id;
  } else {
    channel = target.channel;
    threadTs = target.threadTs;
  }
  const drawn = toBlockKit(message);
  const text = drawn.text;
  const blocks = options.decorate ? options.decorate(drawn.blocks) : drawn.blocks;
  const posted = await withSlackRetries(
    () =>
      client.chat.postMessage({
        channel,
        text,
        // Block Kit drawn by block-kit.ts within Slack's documented shapes and limits.
        blocks: blocks as unknown as types.KnownBlock[],
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      }),
    options,
    "chat.postMessage",
  );
  if (!posted.ok) return { ok: false, channel, attempts: opened + posted.attempts, error: posted.error };
  return { ok: true, channel, ts: posted.value.ts, attempts: opened + posted.attempts };
}
