import { type DestinationStream, destination, type Logger, pino } from "pino";
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

/** One logger per process; modules take a child (`logger.child({ module: "sync" })`). Logs go to stderr. */
export function createLogger(
  level = process.env.CAIRN_LOG_LEVEL ?? "info",
  stream: DestinationStream = destination(2),
): Logger {
  return pino({ level, ...loggerOptions }, stream);
}

/** A logger that writes nothing, for tests and pure code paths. */
export const silentLogger: Logger = pino({ level: "silent" });
