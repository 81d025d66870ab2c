import { writeSync } from "node:fs";
import { type DestinationStream, type Logger, pino } from "pino";
import { redactDeep, redactSecrets } from "./security/redact.ts";

export type { Logger };

/** Paths whose values never reach a log line. */
export const redactedPaths = [
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.apiToken",
  "*.password",
  "*.secret",
  "*.clientSecret",
  "*.credentials",
  "*.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "config.masterKey",
  "config.databaseUrl",
];

/**
 * Options every Cairn logger shares: secrets redacted by path, and credentials inside URLs (user:password@,
 * ?token=...) redacted wherever they appear, in messages and in logged values such as error texts.
 */
export const loggerOptions = {
  base: { app: "cairn" },
  redact: { paths: redactedPaths, censor: "[redacted]" },
  formatters: {
    log: (object: Record<string, unknown>) => redactDeep(object) as Record<string, unknown>,
  },
  hooks: {
    logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void) {
      method.apply(
        this,
        args.map((arg) => (typeof arg === "string" ? redactSecrets(arg) : arg)),
      );
    },
  },
};

/** How long one line may wait on a full pipe (EAGAIN) before it is dropped: a stuck reader never hangs us. */
const FULL_PIPE_BUDGET_MS = 1_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes each line to a file descriptor synchronously. When the reader is gone (EPIPE, EBADF, ...) logging
 * stops instead of retrying: pino's default destination retries a broken pipe forever in its exit-time
 * flush, so a server whose parent died never exited.
 */
export function fdDestination(fd: number): DestinationStream & { broken: boolean } {
  const sink = {
    broken: false,
    write(line: string) {
      if (sink.broken) return;
      let rest = Buffer.from(line);
      const deadline = Date.now() + FULL_PIPE_BUDGET_MS;
      while (rest.length > 0) {
        try {
          rest = rest.subarray(writeSync(fd, rest));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if ((code === "EAGAIN" || code === "EBUSY") && Date.now() < deadline) {
            Atomics.wait(pause, 0, 0, 10);
            continue;
          }
          if (code !== "EAGAIN" && code !== "EBUSY") sink.broken = true;
          return;
        }
      }
    },
  };
  return sink;
}

/** One logger per process; modules take a child (`logger.child({ module: "sync" })`). Logs go to stderr. */
export function createLogger(
  level = process.env.CAIRN_LOG_LEVEL ?? "info",
  stream: DestinationStream = fdDestination(2),
): Logger {
  return pino({ level, ...loggerOptions }, stream);
}

/** A logger that writes nothing, for tests and pure code paths. */
export const silentLogger: Logger = pino({ level: "silent" });
