/**
 * The App Home tab: today's plan, what to do now, and the focus-status switch. Drawn by the surface when
 * someone opens it or acts in this process; with BullMQ (REDIS_URL) a plan or task change in any process
 * (a web process, or the worker that stored a replan) enqueues a refresh job, deduped per person, and
 * whichever worker runs it publishes the tab again with the workspace's bot token (views.publish), for each
 * Slack account linked to the person.
 */
import { DateTime } from "luxon";
import type { Actor } from "../../engine/actions/define.ts";
import type { Change } from "../../engine/changes.ts";
import { listChatIdentities } from "../../engine/db/repositories/chat-identities.ts";
import { findPersonById, findWorkspace } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import { CairnError } from "../../engine/errors.ts";
import type { JobContext } from "../../engine/jobs/port.ts";
import type { Logger } from "../../engine/logger.ts";
import { enginePort } from "../conversation/engine-port.ts";
import { type Message, say } from "../conversation/message.ts";
import { replyFor } from "../conversation/replies.ts";
import type { SlackBlock } from "./block-kit.ts";
import { type FocusStatusService, STOP_FOCUS_STATUS } from "./focus.ts";
import { sendingClient } from "./send.ts";
import { homeView } from "./views.ts";

export const HOME_QUEUE = "slack-home";
export const CONNECT_FOCUS_STATUS = "cairn_focus_status_connect";

export interface HomeJob {
  workspaceId: string;
  personId: string;
}

export interface HomeOptions {
  focus?: FocusStatusService;
  /** Where a person connects their Slack status (OAuth install only). */
  connectUrl?: string;
  log: Logger;
}

/** The focus-status switch on the Home tab: a link to connect, or a button to stop. */
async function focusHomeBlocks(actor: Actor, options: HomeOptions): Promise<SlackBlock[]> {
  if (!options.focus || !options.connectUrl) return [];
  const on = await options.focus.connected(actor).catch(() => false);
  const text = on
    ? "*Slack status during focus time:* on. Your status says when you are focusing and notifications pause."
    : "*Slack status during focus time:* off. Cairn can set your status and pause notifications while you focus.";
  const button = on
    ? {
        type: "button",
        action_id: STOP_FOCUS_STATUS,
        text: { type: "plain_text", text: "Stop changing my Slack status", emoji: true },
        value: "stop",
      }
    : {
        type: "button",
        action_id: CONNECT_FOCUS_STATUS,
        text: { type: "plain_text", text: "Connect my Slack status", emoji: true },
        url: options.connectUrl,
      };
  return [
    { type: "divider" },
    { type: "section", text: { type: "mrkdwn", text } },
    { type: "actions", elements: [button] },
  ];
}

/** The Home view of a person (as the Slack user `userId`). */
export async function buildHome(
  engine: Engine,
  actor: Actor,
  userId: string,
  options: HomeOptions,
): Promise<Record<string, unknown>> {
  const key = ["slack", actor.workspace.slug, `home-${userId}`].join(":");
  const port = enginePort(engine, actor, "slack", key);
  const zone = actor.person.timezone;
  const today = DateTime.fromJSDate(engine.services.now(), { zone }).startOf("day");
  const parts: Message[] = [];
  for (const [action, input] of [
    ["next_task", {}],
    ["get_schedule", { from: today.toISO(), to: today.plus({ days: 1 }).toISO() }],
  ] as const) {
    if (!port.has(action)) continue;
    try {
      parts.push(replyFor(action, await port.call(action, input), zone, port.now()));
    } catch (error) {
      if (!(error instanceof CairnError)) options.log.error({ err: error }, "slack home failed");
      parts.push(
        say(
          error instanceof CairnError
            ? error.message
            : "Something went wrong on my side; it is in Cairn's log. Please try again in a moment.",
        ),
      );
    }
  }
  const updated = DateTime.fromJSDate(engine.services.now(), { zone }).toFormat("ccc d LLL, HH:mm");
  const view = homeView(parts, updated) as { type: string; blocks: SlackBlock[] };
  const focusBlocks = await focusHomeBlocks(actor, options);
  if (focusBlocks.length) view.blocks.splice(view.blocks.length - 1, 0, ...focusBlocks);
  return view;
}

export interface HomeRefresher {
  /** Change-feed listener (every role): enqueues a refresh job when the jobs are shared (BullMQ). */
  onChange(change: Change): Promise<void>;
  /** The job handler of HOME_QUEUE. */
  run(job: JobContext<HomeJob>): Promise<unknown>;
}

export function homeRefresher(
  engine: Engine,
  options: HomeOptions & {
    apiUrl?: string;
    /** The bot token serving a Cairn workspace (slug), if Slack is installed there. */
    botTokenFor(workspace: string): Promise<string | undefined>;
  },
): HomeRefresher {
  const { db, jobs } = engine.services;
  return {
    async onChange(change) {
      // One process (in-process jobs): the surface redraws the tabs opened here itself.
      if (jobs.kind !== "bullmq") return;
      if ((change.kind !== "plan" && change.kind !== "tasks") || !change.personId) return;
      await jobs.enqueue<HomeJob>(
        HOME_QUEUE,
        "refresh",
        { workspaceId: change.workspaceId, personId: change.personId },
        { jobId: `slack-home:${change.personId}`, rerunIfActive: true, delayMs: 250 },
      );
    },
    async run(job) {
      const { workspaceId, personId } = job.data;
      const found = await db.system(async (tx) => {
        const workspace = await findWorkspace(tx, workspaceId);
        const person = workspace ? await findPersonById(tx, workspace.id, personId) : undefined;
        const accounts = workspace
          ? (await listChatIdentities(tx, workspace.id, { personId })).filter((a) => a.provider === "slack")
          : [];
        return { workspace, person, accounts };
      });
      const { workspace, person, accounts } = found;
      if (!workspace || !person || accounts.length === 0) return { skipped: "no Slack account" };
      const token = await options.botTokenFor(workspace.slug);
      if (!token) return { skipped: "Slack is not installed for this workspace" };
      const client = sendingClient(token, options.apiUrl);
      const actor: Actor = { workspace, person };
      for (const account of accounts) {
        const view = await buildHome(engine, actor, account.externalId, options);
        await client.views.publish({ user_id: account.externalId, view: view as never });
      }
      return { published: accounts.length };
    },
  };
}
