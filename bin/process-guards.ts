/**
 * Guards that make sure a server process ends: a hard deadline on shutdown, and exiting with its npm wrapper.
 *
 * `npm start` and `npx cairn start` run the server under a wrapper. When the wrapper is killed, the server is
 * re-parented and would keep the port forever; it notices and shuts down. Only under npm (which says so in
 * npm_command): a server started from a shell and left running on purpose (nohup, &) is not touched.
 */
import { readFileSync } from "node:fs";

const CHECK_EVERY_MS = 500;

/** The current parent PID (process.ppid is read once at start-up, so it never changes). */
function currentParent(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function parentGone(original: number): boolean {
  const now = currentParent();
  if (now !== undefined) return now !== original;
  try {
    process.kill(original, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Calls onGone once when the npm wrapper that started this process goes away. */
export function watchWrapper(onGone: () => void, env: NodeJS.ProcessEnv = process.env): void {
  if (!env.npm_command) return;
  const original = process.ppid;
  const timer = setInterval(() => {
    if (!parentGone(original)) return;
    clearInterval(timer);
    onGone();
  }, CHECK_EVERY_MS);
  timer.unref();
}

/**
 * Bounds the whole shutdown: after deadlineMs, log a last line and exit 1, whatever is still closing. The
 * timer does not keep the process alive on its own.
 */
export function armShutdownDeadline(
  deadlineMs: number,
  lastWords: (deadlineMs: number) => void,
  exit: (code: number) => void = (code) => process.exit(code),
): NodeJS.Timeout {
  const timer = setTimeout(() => {
    lastWords(deadlineMs);
    exit(1);
  }, deadlineMs);
  timer.unref();
  return timer;
}
