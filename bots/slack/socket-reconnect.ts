/**
 * Bolt's SocketModeClient restarts itself after a dropped socket as `start().then(...)` with no catch, and it
 * gives up for good on some errors (Slack unreachable past the Web API client's retries, an HTTP error from
 * apps.connections.open, a revoked app token). Such a failed reconnect is an unhandled rejection, which ends a
 * Node process. This wrapper keeps the first `start()` as it is (a bad token at start-up still fails the
 * start), and turns a failed reconnect into a logged, backed-off retry that `stop()` cancels.
 */
import type { SocketModeReceiver } from "@slack/bolt";

type SocketClient = SocketModeReceiver["client"];

export interface ReconnectLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface ReconnectOptions {
  /** First retry delay; doubled after each failure up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface ReconnectGuard {
  stop(): void;
}

export function retryFailedReconnects(
  client: SocketClient,
  logger: ReconnectLogger,
  options: ReconnectOptions = {},
): ReconnectGuard {
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const firstStart = client.start.bind(client);
  let connectedOnce = false;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  const reconnect = async (): Promise<Awaited<ReturnType<SocketClient["start"]>> | undefined> => {
    try {
      const result = await firstStart();
      if (failures > 0) logger.info(`Slack Socket Mode reconnected after ${failures} failed attempt(s)`);
      failures = 0;
      return result;
    } catch (error) {
      if (stopped) return undefined;
      failures += 1;
      const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
      logger.warn(
        `Slack Socket Mode could not reconnect (${describeError(error)}); trying again in ${Math.round(delayMs / 1000)} s`,
      );
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        if (!stopped) void reconnect();
      }, delayMs);
      return undefined;
    }
  };

  client.start = (async () => {
    if (!connectedOnce) {
      const result = await firstStart();
      connectedOnce = true;
      return result;
    }
    return reconnect();
  }) as SocketClient["start"];

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The error's code or class and message, never a token: Slack's errors carry none, but a URL may. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const code = (error as { code?: unknown }).code;
  const message = error.message.replace(/xapp-[\w-]+|xox[abpr]-[\w-]+/g, "[redacted]");
  return typeof code === "string" ? `${code}: ${message}` : message;
}
