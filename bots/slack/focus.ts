/**
 * Slack focus status, opt-in per person. Someone who connects their Slack status ("connect my Slack status",
 * or the App Home button: an OAuth grant of the user scopes users.profile:write and dnd:write) has their user
 * token stored sealed; from then on, when a plan is stored, each upcoming focus block gets a delayed job (one per
 * block and start, deduped, on BullMQ in production so any worker runs it). When it fires and the block is still
 * planned or accepted and running, the person's status becomes "Focus time until 11:30" (their zone, expiring at
 * the block's end) and notifications pause until then. A block that ends early (marked done, its task
 * completed, deleted or moved away while it runs) clears both. "stop changing my Slack status" (or the App Home
 * button) clears it and forgets the token: that is the opt-out.
 */
import type { Actor } from "../../engine/actions/define.ts";
import type { Change } from "../../engine/changes.ts";
import { getBlock, listBlocks, type StoredBlock } from "../../engine/db/repositories/plans.ts";
import {
  deleteSlackUserToken,
  readSlackUserToken,
  readSlackUserTokenForUpdate,
  type SlackUserToken,
  saveSlackUserToken,
  setSlackFocus,
} from "../../engine/db/repositories/slack-user-tokens.ts";
import { findPersonById } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import type { JobContext } from "../../engine/jobs/port.ts";
import type { Logger } from "../../engine/logger.ts";
import { createFocusStatus, type FocusStatus } from "./focus-status.ts";
import { sendingClient } from "./send.ts";
import { UserGrantEnded, userTokens } from "./user-token.ts";

export const FOCUS_QUEUE = "slack-focus";
/** The OAuth flow's metadata that marks a "connect my Slack status" grant (user scopes only). */
export const FOCUS_CONNECT_METADATA = "cairn:focus-status";
export const FOCUS_CONNECT_PATH = "/slack/connect-status";
/** The App Home button that opts out. */
export const STOP_FOCUS_STATUS = "cairn_focus_status_stop";

/** Slack's answers for a user token that no longer works: the person's opt-in ends. */
const REVOKED = new Set(["token_revoked", "invalid_auth", "account_inactive", "not_authed", "missing_scope"]);
/** How far ahead blocks get a job (a plan is stored again at least daily). */
const HORIZON_MS = 36 * 3600_000;
/** A job that fires this early (clock skew between processes) still counts as on time. */
const EARLY_MS = 60_000;

export interface FocusJob {
  workspaceId: string;
  personId: string;
  blockId: string;
  /** The block's start when the job was scheduled: a block moved since has another job. */
  start: string;
}

export interface FocusOptions {
  log: Logger;
  apiUrl?: string;
  /** The app's OAuth client, to renew user tokens when the app has token rotation on. */
  oauth?: { clientId: string; clientSecret: string };
  /** Replaces the Slack calls (tests). */
  status?: FocusStatus;
}

const isFocus = (block: StoredBlock) =>
  (block.kind === "task" || block.kind === "focus") &&
  (block.status === "planned" || block.status === "accepted");

export interface FocusStatusService {
  /** Stores a person's user token: the opt-in. */
  connect(input: {
    workspaceId: string;
    personId: string;
    teamId: string;
    slackUserId: string;
    token: string;
    scopes?: string[];
    /** With token rotation: the refresh token and when `token` expires (epoch ms). */
    refreshToken?: string;
    expiresAt?: number;
  }): Promise<void>;
  /** Clears any status set and forgets the token: the opt-out. True when the person had opted in. */
  disconnect(actor: Actor): Promise<boolean>;
  connected(actor: Actor): Promise<boolean>;
  /** Change-feed listener: schedules jobs for upcoming blocks, clears a status whose block ended early. */
  onChange(change: Change): Promise<void>;
  /** The job handler of FOCUS_QUEUE. */
  run(job: JobContext<FocusJob>): Promise<unknown>;
}

export function focusStatusService(engine: Engine, options: FocusOptions): FocusStatusService {
  const { db, jobs } = engine.services;
  const now = () => engine.services.now();
  const status =
    options.status ??
    createFocusStatus({ log: options.log, now, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) });
  const tokens = userTokens(engine, {
    log: options.log,
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    ...(options.oauth ? { oauth: options.oauth } : {}),
  });

  /**
   * Slack no longer accepts the person's grant (revoked, refresh token refused): that is an opt-out too. Unless
   * the token Slack refused (`refused`) is no longer the one stored: another process renewed it meanwhile (a
   * renewal ends the old token at once), and the grant lives on.
   */
  async function forget(row: SlackUserToken, error: string, refused?: string): Promise<void> {
    const outcome = await db.scoped(row.workspaceId, async (tx) => {
      const locked = await readSlackUserTokenForUpdate(tx, row.workspaceId, row.personId);
      if (!locked) return "gone";
      if (refused !== undefined && tokens.stored(locked) !== refused) return "renewed";
      await deleteSlackUserToken(tx, row.workspaceId, row.personId);
      return "forgotten";
    });
    if (outcome === "gone") return;
    if (outcome === "renewed") {
      options.log.info({ personId: row.personId, error }, "slack user token renewed meanwhile: kept");
      return;
    }
    options.log.info(
      { personId: row.personId, error },
      "slack user token no longer valid: focus status turned off",
    );
  }

  /** A token good for now (renewed first under token rotation); undefined once the grant has ended. */
  async function usable(row: SlackUserToken): Promise<string | undefined> {
    try {
      return await tokens.current(row);
    } catch (error) {
      if (!(error instanceof UserGrantEnded)) throw error;
      await forget(row, error.message);
      return undefined;
    }
  }

  async function clear(row: SlackUserToken, reason: string): Promise<void> {
    const token = await usable(row);
    const ok = token ? await status.end(token) : false;
    await db.scoped(row.workspaceId, (tx) => setSlackFocus(tx, row.workspaceId, row.personId, null));
    options.log.info(
      { personId: row.personId, blockId: row.focusBlockId, reason, ok },
      "slack focus status cleared",
    );
  }

  return {
    async connect(input) {
      const sealed = tokens.seal({
        token: input.token,
        ...(input.scopes ? { scopes: input.scopes } : {}),
        ...(input.refreshToken ? { refreshToken: input.refreshToken } : {}),
        ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
      });
      await db.scoped(input.workspaceId, (tx) =>
        saveSlackUserToken(tx, {
          workspaceId: input.workspaceId,
          personId: input.personId,
          teamId: input.teamId,
          slackUserId: input.slackUserId,
          sealed,
        }),
      );
      options.log.info({ personId: input.personId }, "slack focus status connected");
      // Blocks already planned get their jobs now.
      await this.onChange({ kind: "plan", workspaceId: input.workspaceId, personId: input.personId });
    },

    async disconnect(actor) {
      const { id: workspaceId } = actor.workspace;
      const row = await db.scoped(workspaceId, (tx) => readSlackUserToken(tx, workspaceId, actor.person.id));
      if (!row) return false;
      if (row.focusBlockId && row.focusUntil && new Date(row.focusUntil) > now())
        await clear(row, "opted out");
      await db.scoped(workspaceId, (tx) => deleteSlackUserToken(tx, workspaceId, actor.person.id));
      // Give the grant back to Slack too (best effort).
      await sendingClient(tokens.stored(row), options.apiUrl)
        .auth.revoke()
        .catch((error: unknown) => options.log.warn({ err: error }, "slack auth.revoke failed"));
      return true;
    },

    async connected(actor) {
      const row = await db.scoped(actor.workspace.id, (tx) =>
        readSlackUserToken(tx, actor.workspace.id, actor.person.id),
      );
      return row !== undefined;
    },

    async onChange(change) {
      if ((change.kind !== "plan" && change.kind !== "tasks") || !change.personId) return;
      const personId = change.personId;
      const at = now();
      const found = await db.scoped(change.workspaceId, async (tx) => {
        const row = await readSlackUserToken(tx, change.workspaceId, personId);
        if (!row) return undefined;
        const blocks = await listBlocks(tx, personId, {
          from: at.toISOString(),
          to: new Date(at.getTime() + HORIZON_MS).toISOString(),
          statuses: ["planned", "accepted"],
        });
        const active = row.focusBlockId ? await getBlock(tx, row.focusBlockId, personId) : undefined;
        return { row, blocks, active };
      });
      if (!found) return;
      const { row, blocks, active } = found;

      // The block whose status is set ended early (done, task completed, deleted, moved away): clear it.
      if (row.focusBlockId && row.focusUntil) {
        const until = new Date(row.focusUntil);
        const stillRunning =
          active !== undefined &&
          isFocus(active) &&
          new Date(active.start).getTime() <= at.getTime() + EARLY_MS &&
          new Date(active.end) > at;
        if (until <= at)
          await db.scoped(row.workspaceId, (tx) => setSlackFocus(tx, row.workspaceId, personId, null));
        else if (!stillRunning) await clear(row, active ? `block ${active.status}` : "block gone");
      }

      for (const block of blocks) {
        if (!isFocus(block) || block.id === row.focusBlockId) continue;
        const start = new Date(block.start).getTime();
        await jobs.enqueue<FocusJob>(
          FOCUS_QUEUE,
          "start",
          { workspaceId: change.workspaceId, personId, blockId: block.id, start: block.start },
          { jobId: `slack-focus:${block.id}:${start}`, delayMs: Math.max(0, start - at.getTime()) },
        );
      }
    },

    async run(job) {
      const { workspaceId, personId, blockId } = job.data;
      const at = now();
      const found = await db.scoped(workspaceId, async (tx) => {
        const row = await readSlackUserToken(tx, workspaceId, personId);
        const block = await getBlock(tx, blockId, personId);
        const person = await findPersonById(tx, workspaceId, personId);
        return { row, block, person };
      });
      const { row, block, person } = found;
      if (!row || !block || !person) return { skipped: "not opted in, or the block is gone" };
      if (!isFocus(block)) return { skipped: `block ${block.status}` };
      if (block.start !== job.data.start) return { skipped: "block moved" };
      const start = new Date(block.start);
      const end = new Date(block.end);
      if (end <= at) return { skipped: "block over" };
      if (start.getTime() > at.getTime() + EARLY_MS) {
        // Fired early (another process's clock): come back at the start.
        await jobs.enqueue<FocusJob>(FOCUS_QUEUE, "start", job.data, {
          jobId: `slack-focus:${block.id}:${start.getTime()}:again`,
          delayMs: start.getTime() - at.getTime(),
        });
        return { skipped: "early" };
      }
      if (row.focusBlockId === block.id) return { skipped: "already set" };
      // Recorded first, so a block that ends while Slack is being called is seen by the change listener...
      await db.scoped(workspaceId, (tx) =>
        setSlackFocus(tx, workspaceId, personId, { blockId: block.id, until: block.end }),
      );
      let error: string | undefined;
      const setWith = (token: string) => {
        error = undefined;
        return status.start(token, { until: end, timezone: person.timezone }, (e) => {
          error = e;
        });
      };
      let token = await usable(row);
      if (!token) return { ok: false, error: "grant ended" };
      let ok = await setWith(token);
      if (error === "token_expired" || error === "invalid_auth") {
        // Expired before its time (a clock apart from Slack's), or renewed by another process since this row was
        // read: take the newer token, or renew it, and try once more; still refused, the grant has ended.
        try {
          const fresh = await tokens.renewed(row, token);
          if (fresh !== token) {
            token = fresh;
            ok = await setWith(token);
          }
        } catch (renewal) {
          if (!(renewal instanceof UserGrantEnded)) throw renewal;
          error = renewal.message;
          await forget(row, error);
          return { ok: false, error };
        }
      }
      options.log.info({ personId, blockId, ok, error }, "slack focus status set");
      if (error && REVOKED.has(error)) {
        // The person removed Cairn's access in Slack: that is an opt-out too.
        await forget(row, error, token);
        return { ok, error };
      }
      // ...and checked again after: a block that ended meanwhile must not leave the status behind.
      const after = await db.scoped(workspaceId, async (tx) => ({
        row: await readSlackUserToken(tx, workspaceId, personId),
        block: await getBlock(tx, blockId, personId),
      }));
      if (!ok || !after.block || !isFocus(after.block)) {
        if (after.row?.focusBlockId === block.id)
          await clear(after.row, ok ? "ended while starting" : "refused");
        else if (after.row && ok) {
          const current = await usable(after.row);
          if (current) await status.end(current);
        }
      }
      return { ok };
    },
  };
}

/** "stop changing my Slack status" and its variants: the opt-out phrase. */
export function isStopFocusStatus(text: string): boolean {
  return /\b(stop|don'?t|do not|no longer|disconnect|turn off)\b.*\bslack status\b/i.test(text);
}

/** "connect my Slack status", "set my slack status during focus": the opt-in phrase. */
export function isConnectFocusStatus(text: string): boolean {
  return (
    !isStopFocusStatus(text) &&
    /\b(connect|link|enable|turn on|set|change|update)\b.*\bslack status\b/i.test(text)
  );
}
