/**
 * Console sessions: an opaque random cookie value whose SHA-256 is stored, a CSRF token per session, an
 * idle expiry that slides with use and an absolute one that does not.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Actor } from "../../engine/actions/define.ts";
import type { Db } from "../../engine/db/port.ts";
import {
  deleteConsoleSession,
  deleteExpiredConsoleSessions,
  findConsoleSession,
  insertConsoleSession,
  touchConsoleSession,
} from "../../engine/db/repositories/console-sessions.ts";
import { type ConsoleRole, roleOf } from "../../engine/db/repositories/console-users.ts";

export const SESSION_COOKIE = "cairn_session";
export const IDLE_MS = 12 * 60 * 60_000;
export const ABSOLUTE_MS = 7 * 24 * 60 * 60_000;
/** A session's idle expiry is pushed forward at most this often (one write a minute, not one a request). */
const TOUCH_EVERY_MS = 60_000;

export interface ConsoleSession extends Actor {
  id: string;
  role: ConsoleRole;
  csrfToken: string;
}

const hashOf = (value: string): string => createHash("sha256").update(value).digest("hex");

export class ConsoleSessions {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** Opens a session; returns the cookie value (never stored) and the session. */
  async open(actor: Actor, isOwner: boolean): Promise<{ cookie: string; session: ConsoleSession }> {
    const cookie = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    const now = this.now();
    const id = await this.db.system(async (tx) => {
      await deleteExpiredConsoleSessions(tx, now);
      return insertConsoleSession(tx, {
        workspaceId: actor.workspace.id,
        personId: actor.person.id,
        tokenHash: hashOf(cookie),
        csrfToken,
        expiresAt: new Date(now.getTime() + IDLE_MS),
      });
    });
    return { cookie, session: { ...actor, id, role: roleOf(actor.person, isOwner), csrfToken } };
  }

  /** The live session behind a cookie value, its idle expiry pushed forward; undefined when none. */
  async resolve(cookie: string | undefined): Promise<ConsoleSession | undefined> {
    if (!cookie || cookie.length > 100) return undefined;
    const now = this.now();
    return this.db.system(async (tx) => {
      const stored = await findConsoleSession(tx, hashOf(cookie), now);
      if (!stored) return undefined;
      const absoluteEnd = stored.createdAt.getTime() + ABSOLUTE_MS;
      if (absoluteEnd <= now.getTime()) return undefined;
      if (now.getTime() - stored.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
        const expiresAt = new Date(Math.min(absoluteEnd, now.getTime() + IDLE_MS));
        await touchConsoleSession(tx, stored.id, now, expiresAt);
      }
      return {
        id: stored.id,
        workspace: stored.workspace,
        person: stored.person,
        role: roleOf(stored.person, stored.isOwner),
        csrfToken: stored.csrfToken,
      };
    });
  }

  /** Ends the session behind a cookie value; its id when there was one. */
  async close(cookie: string | undefined): Promise<string | undefined> {
    if (!cookie || cookie.length > 100) return undefined;
    return this.db.system((tx) => deleteConsoleSession(tx, hashOf(cookie)));
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
