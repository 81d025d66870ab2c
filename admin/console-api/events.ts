/**
 * Server-Sent Events for the console: the engine's change feed, filtered per viewer. A member sees their
 * own changes and the workspace's shared ones (never token changes or another person's); a comment line
 * every heartbeat keeps proxies from closing an idle stream. Streams end on sign-out and on shutdown.
 */
import type { Response } from "express";
import type { Change, ChangeFeed } from "../../engine/changes.ts";
import type { ConsoleSession } from "../auth/sessions.ts";

export const HEARTBEAT_MS = 15_000;

interface Viewer {
  res: Response;
  session: ConsoleSession;
}

export function visibleTo(session: ConsoleSession, change: Change): boolean {
  if (change.workspaceId !== session.workspace.id) return false;
  if (session.role !== "member") return true;
  if (change.kind === "tokens") return false;
  return change.personId === undefined || change.personId === null || change.personId === session.person.id;
}

export class ConsoleEvents {
  readonly #viewers = new Set<Viewer>();
  readonly #unsubscribe: () => void;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(changes: ChangeFeed, heartbeatMs = HEARTBEAT_MS) {
    this.#unsubscribe = changes.subscribe((change) => this.#publish(change));
    this.#heartbeat = setInterval(() => {
      for (const viewer of this.#viewers) viewer.res.write(": heartbeat\n\n");
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#viewers.size;
  }

  open(res: Response, session: ConsoleSession): void {
    res.status(200).set({
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.flushHeaders();
    res.write("retry: 5000\n: connected\n\n");
    const viewer = { res, session };
    this.#viewers.add(viewer);
    res.on("close", () => this.#viewers.delete(viewer));
  }

  #publish(change: Change): void {
    for (const viewer of this.#viewers) {
      if (!visibleTo(viewer.session, change)) continue;
      const data = {
        kind: change.kind,
        workspaceId: change.workspaceId,
        ...(change.personId ? { personId: change.personId } : {}),
        ...(change.ids ? { ids: change.ids } : {}),
      };
      viewer.res.write(`event: change\ndata: ${JSON.stringify(data)}\n\n`);
    }
  }

  /** Ends the streams of one session (signed out). */
  closeSession(sessionId: string): void {
    for (const viewer of this.#viewers) if (viewer.session.id === sessionId) viewer.res.end();
  }

  /** Ends every stream and stops listening (server shutdown). */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const viewer of this.#viewers) viewer.res.end();
    this.#viewers.clear();
  }
}
