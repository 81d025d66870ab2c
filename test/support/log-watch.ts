import { createLogger } from "../../engine/logger.ts";

/** Log lines a test engine writes, and waiting for one (what happens without an outside call shows only there). */
export function logWatch() {
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: () => void }[] = [];
  const stream = {
    write(line: string) {
      lines.push(line);
      for (const w of [...waiters])
        if (w.match.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    },
  };
  return {
    log: createLogger("info", stream),
    lines,
    waitFor(match: RegExp, timeoutMs = 10_000): Promise<void> {
      if (lines.some((l) => match.test(l))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line matching ${match}`)), timeoutMs);
        waiters.push({
          match,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}
