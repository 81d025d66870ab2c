import { destination, type Logger, pino } from "pino";

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

/** One logger per process; modules take a child (`logger.child({ module: "sync" })`). Logs go to stderr. */
export function createLogger(level = process.env.CAIRN_LOG_LEVEL ?? "info"): Logger {
  return pino(
    { level, base: { app: "cairn" }, redact: { paths: redactedPaths, censor: "[redacted]" } },
    destination(2),
  );
}

/** A logger that writes nothing, for tests and pure code paths. */
export const silentLogger: Logger = pino({ level: "silent" });
