/**
 * The console's sign-in: first-owner setup, email and password with lockout, sessions from the cookie,
 * CSRF on every state-changing request a cookie authenticates.
 */
import type { Request } from "express";
import type { Actor } from "../../engine/actions/define.ts";
import {
  findConsoleLogins,
  ownerExists,
  saveConsolePassword,
} from "../../engine/db/repositories/console-users.ts";
import { recordAudit } from "../../engine/db/repositories/event-log.ts";
import { ensurePerson, ensureWorkspace } from "../../engine/db/repositories/workspaces.ts";
import { sameSecret } from "../../engine/security/constant-time.ts";
import type { EngineServices } from "../../engine/services.ts";
import { ProblemError } from "../api/problem.ts";
import { LoginLimit } from "./login-limit.ts";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import { isLocalRequest } from "./request.ts";
import { type ConsoleSession, ConsoleSessions, cookieValue, SESSION_COOKIE } from "./sessions.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export const csrfRefusal = (): ProblemError =>
  new ProblemError(403, {
    title: "CSRF token missing or wrong",
    detail: "Send the X-CSRF-Token header with the csrfToken from GET /admin/api/session.",
  });

const wrongPassword = (): ProblemError =>
  new ProblemError(401, {
    title: "Email or password is wrong",
    detail: "Email or password is wrong. Check both and try again.",
  });

const locked = (seconds: number): ProblemError =>
  new ProblemError(
    429,
    {
      title: "Too many failed sign-ins",
      detail: `Too many wrong passwords for this email from your address; try again in ${Math.ceil(seconds / 60)} min.`,
      retryAfterSeconds: seconds,
    },
    { "Retry-After": String(seconds) },
  );

export function sessionBody(session: ConsoleSession) {
  return {
    user: {
      email: session.person.email,
      name: session.person.name,
      role: session.role,
      personId: session.person.id,
      workspace: { id: session.workspace.id, slug: session.workspace.slug, name: session.workspace.name },
    },
    csrfToken: session.csrfToken,
  };
}

export class ConsoleAuth {
  readonly sessions: ConsoleSessions;
  readonly #limit: LoginLimit;
  /** The session each request's cookie resolved to (looked up once per request). */
  readonly #resolved = new WeakMap<Request, Promise<ConsoleSession | undefined>>();

  constructor(private readonly services: EngineServices) {
    this.sessions = new ConsoleSessions(services.db, services.now);
    this.#limit = new LoginLimit(services.db, services.now);
  }

  cookieOf(req: Request): string | undefined {
    return cookieValue(req.get("cookie"), SESSION_COOKIE);
  }

  /** The request's session, or undefined; state-changing requests must carry the session's CSRF token. */
  async session(req: Request): Promise<ConsoleSession | undefined> {
    let found = this.#resolved.get(req);
    if (!found) {
      found = this.sessions.resolve(this.cookieOf(req));
      this.#resolved.set(req, found);
    }
    const session = await found;
    if (
      session &&
      STATE_CHANGING.has(req.method) &&
      !sameSecret(req.get("x-csrf-token"), session.csrfToken)
    ) {
      throw csrfRefusal();
    }
    return session;
  }

  async setupAvailable(req: Request): Promise<boolean> {
    if (!isLocalRequest(req)) return false;
    return !(await this.services.db.system((tx) => ownerExists(tx)));
  }

  /** Checks a password (with the lockout), opens a session, audits the sign-in. */
  async signIn(
    email: string,
    password: string,
    address: string,
  ): Promise<{ cookie: string; session: ConsoleSession }> {
    const lockedFor = await this.#limit.lockedFor(email, address);
    if (lockedFor > 0) throw locked(lockedFor);
    const logins = await this.services.db.system((tx) => findConsoleLogins(tx, email));
    let match: (typeof logins)[number] | undefined;
    for (const login of logins) {
      if (await verifyPassword(password, login.passwordHash)) {
        match = login;
        break;
      }
    }
    if (logins.length === 0) await verifyPassword(password, await decoyHash());
    if (!match) {
      const nowLocked = await this.#limit.fail(email, address);
      this.services.log.info({ lockedFor: nowLocked }, "console sign-in refused");
      throw wrongPassword();
    }
    await this.#limit.succeed(email, address);
    const opened = await this.sessions.open(
      { workspace: match.workspace, person: match.person },
      match.isOwner,
    );
    await this.audit(opened.session, "console_sign_in", match.person.email, { address });
    return opened;
  }

  /**
   * Opens a session for an email the SSO issuer verified: an existing console user only (in CAIRN_WORKSPACE
   * when they have several), never a new one.
   */
  async signInVerified(
    email: string,
    details: Record<string, unknown>,
  ): Promise<{ cookie: string; session: ConsoleSession } | undefined> {
    const logins = await this.services.db.system((tx) => findConsoleLogins(tx, email));
    const match =
      logins.find((login) => login.workspace.slug === this.services.config.CAIRN_WORKSPACE) ?? logins[0];
    if (!match) return undefined;
    const opened = await this.sessions.open(
      { workspace: match.workspace, person: match.person },
      match.isOwner,
    );
    await this.audit(opened.session, "console_sign_in", match.person.email, { method: "sso", ...details });
    return opened;
  }

  /** The first owner, in CAIRN_WORKSPACE, signed in; refused once an owner exists or from elsewhere. */
  async setup(
    req: Request,
    input: { email: string; password: string; name?: string },
  ): Promise<{ cookie: string; session: ConsoleSession }> {
    if (!isLocalRequest(req)) {
      throw new ProblemError(403, {
        title: "Setup only from this machine",
        detail:
          "Create the first owner from a browser on the server itself, or run: cairn admin create --email <email>",
      });
    }
    const passwordHash = await hashPassword(input.password);
    const actor = await this.services.db.system(async (tx) => {
      if (await ownerExists(tx)) return undefined;
      const workspace = await ensureWorkspace(tx, this.services.config.CAIRN_WORKSPACE);
      const person = await ensurePerson(tx, workspace.id, {
        email: input.email,
        name: input.name,
        isAdmin: true,
      });
      await saveConsolePassword(tx, {
        workspaceId: workspace.id,
        personId: person.id,
        passwordHash,
        owner: true,
      });
      return { workspace, person } satisfies Actor;
    });
    if (!actor) {
      throw new ProblemError(403, {
        title: "Setup is closed",
        detail: "An owner exists already; sign in, or ask an owner to set a password for you.",
      });
    }
    const opened = await this.sessions.open(actor, true);
    await this.audit(opened.session, "console_setup", actor.person.email, {});
    return opened;
  }

  async signOut(req: Request): Promise<void> {
    const session = await this.session(req);
    await this.sessions.close(this.cookieOf(req));
    if (session) await this.audit(session, "console_sign_out", session.person.email, {});
  }

  async audit(
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.services.db.scoped(actor.workspace.id, (tx) =>
      recordAudit(tx, {
        workspaceId: actor.workspace.id,
        actorPersonId: actor.person.id,
        actor: actor.person.email,
        action,
        target,
        details,
      }),
    );
  }
}
