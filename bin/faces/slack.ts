/**
 * Wires bots/slack/ into Cairn: with SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode), the
 * Bolt app on Cairn's server at /slack/events, single-workspace with SLACK_BOT_TOKEN or multi-workspace with
 * the OAuth install (/slack/install, /slack/oauth_redirect). People are linked by email through the engine's
 * chat directory, created as members when CAIRN_CHAT_AUTO_PROVISION is on. In every role: the focus-status
 * jobs (OAuth install only; bots/slack/focus.ts) and, with BullMQ, App Home refresh jobs (bots/slack/home.ts).
 */

import { enginePeople } from "../../bots/conversation/engine-people.ts";
import {
  FOCUS_CONNECT_PATH,
  FOCUS_QUEUE,
  type FocusJob,
  focusStatusService,
} from "../../bots/slack/focus.ts";
import { HOME_QUEUE, type HomeJob, homeRefresher } from "../../bots/slack/home.ts";
import { slackInstallations } from "../../bots/slack/installations.ts";
import { createSlackMessenger, slackAsMessenger } from "../../bots/slack/messenger.ts";
import { createSlackSurface, type SlackSurfaceOptions } from "../../bots/slack/surface.ts";
import { type Config, publicUrl } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import type { FaceModule, StartedFace } from "../modules/types.ts";
import { placeMessenger } from "./messenger-slot.ts";

/** Why the Slack face cannot start with this configuration, or undefined when it can (or is off). */
export function slackConfigProblem(config: Config): string | undefined {
  const oauth = [config.SLACK_CLIENT_ID, config.SLACK_CLIENT_SECRET, config.SLACK_STATE_SECRET];
  const someOauth = oauth.some(Boolean);
  if (someOauth && !oauth.every(Boolean))
    return "set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together for the OAuth install";
  if (config.SLACK_APP_TOKEN && !config.SLACK_BOT_TOKEN)
    return "Socket Mode (SLACK_APP_TOKEN) needs SLACK_BOT_TOKEN";
  if (config.SLACK_SIGNING_SECRET && !config.SLACK_BOT_TOKEN && !someOauth)
    return "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth install)";
  if (config.SLACK_BOT_TOKEN && someOauth && !config.SLACK_APP_TOKEN)
    return "set either SLACK_BOT_TOKEN (one workspace) or the OAuth install variables, not both";
  return undefined;
}

export function slackEnabled(config: Config): boolean {
  return Boolean(config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN);
}

export function slackOptions(engine: Engine, config: Config, log: Logger): SlackSurfaceOptions {
  const oauth =
    config.SLACK_CLIENT_ID &&
    config.SLACK_CLIENT_SECRET &&
    config.SLACK_STATE_SECRET &&
    !config.SLACK_APP_TOKEN
      ? {
          clientId: config.SLACK_CLIENT_ID,
          clientSecret: config.SLACK_CLIENT_SECRET,
          stateSecret: config.SLACK_STATE_SECRET,
          redirectUri: `${publicUrl(config)}/slack/oauth_redirect`,
        }
      : undefined;
  return {
    engine,
    people: enginePeople(engine, { autoProvision: config.CAIRN_CHAT_AUTO_PROVISION }),
    log,
    workspace: config.CAIRN_WORKSPACE,
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    ...(config.SLACK_BOT_TOKEN && !oauth ? { botToken: config.SLACK_BOT_TOKEN } : {}),
    ...(oauth ? { oauth } : {}),
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
  };
}

/** The focus status runs with the OAuth install (people grant their user scopes through it). */
function focusEnabled(config: Config): boolean {
  return slackEnabled(config) && !slackConfigProblem(config) && oauthSet(config);
}

function oauthSet(config: Config): boolean {
  return Boolean(
    config.SLACK_CLIENT_ID &&
      config.SLACK_CLIENT_SECRET &&
      config.SLACK_STATE_SECRET &&
      !config.SLACK_APP_TOKEN,
  );
}

function focusService(engine: Engine, config: Config) {
  return focusStatusService(engine, {
    log: engine.services.log.child({ face: "slack", part: "focus-status" }),
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    ...(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET
      ? { oauth: { clientId: config.SLACK_CLIENT_ID, clientSecret: config.SLACK_CLIENT_SECRET } }
      : {}),
  });
}

/** The App Home refresh that any worker can run (BullMQ): the bot token comes from config or the install. */
function homeService(engine: Engine, config: Config) {
  const oauth = oauthSet(config);
  return homeRefresher(engine, {
    log: engine.services.log.child({ face: "slack", part: "home" }),
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    ...(oauth
      ? {
          focus: focusService(engine, config),
          connectUrl: `${publicUrl(config)}${FOCUS_CONNECT_PATH}`,
        }
      : {}),
    botTokenFor: storedBotToken(engine, config),
  });
}

/** The bot token serving a Cairn workspace, from config or the stored install (no refresh: no installer here). */
function storedBotToken(engine: Engine, config: Config) {
  const oauth = oauthSet(config);
  return async (workspace: string): Promise<string | undefined> => {
    if (!oauth) return workspace === config.CAIRN_WORKSPACE ? config.SLACK_BOT_TOKEN : undefined;
    return (await slackInstallations(engine).forWorkspace(workspace))?.bot?.token;
  };
}

export const slackModule: FaceModule = {
  name: "slack",
  // Every role: a stored plan (in a web process or a worker) schedules the focus-status jobs of its blocks, and
  // with BullMQ a refresh of the person's App Home.
  prepare(engine, config, log) {
    if (!slackEnabled(config) || slackConfigProblem(config)) return;
    placeMessenger(
      engine,
      "slack",
      slackAsMessenger(
        createSlackMessenger({
          engine,
          log: log.child({ face: "slack", part: "messenger" }),
          ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
          botTokenFor: storedBotToken(engine, config),
        }),
      ),
    );
    const home = homeService(engine, config);
    const focus = focusEnabled(config) ? focusService(engine, config) : undefined;
    engine.services.changes.subscribe(async (change) => {
      try {
        await focus?.onChange(change);
      } catch (error) {
        log.warn({ err: error, change: change.kind }, "could not schedule the Slack focus status");
      }
      try {
        await home.onChange(change);
      } catch (error) {
        log.warn({ err: error, change: change.kind }, "could not enqueue a Slack App Home refresh");
      }
    });
  },
  installWorkers(engine, config) {
    if (!slackEnabled(config) || slackConfigProblem(config)) return;
    const home = homeService(engine, config);
    engine.services.jobs.handle<HomeJob>(HOME_QUEUE, (job) => home.run(job), { concurrency: 4 });
    if (!focusEnabled(config)) return;
    const focus = focusService(engine, config);
    engine.services.jobs.handle<FocusJob>(FOCUS_QUEUE, (job) => focus.run(job), { concurrency: 4 });
  },
  async installFace(engine, config): Promise<StartedFace> {
    if (!slackEnabled(config))
      return {
        describe: () => ["Slack:          off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN; README: Slack)"],
      };
    const problem = slackConfigProblem(config);
    if (problem) throw new Error(`Slack: ${problem}.`);
    // The engine's logger (the one given to modules is the same in production; tests watch this one).
    const log = engine.services.log.child({ face: "slack" });
    const surface = createSlackSurface(slackOptions(engine, config, log));
    placeMessenger(engine, "slack", slackAsMessenger(surface.messenger));
    const mode = config.SLACK_APP_TOKEN
      ? "Socket Mode"
      : surface.installations
        ? "OAuth install"
        : "one workspace";
    return {
      mounts: surface.router ? [{ path: "/", router: surface.router }] : [],
      describe: (url) => [
        config.SLACK_APP_TOKEN
          ? `Slack:          Socket Mode (${mode})`
          : `Slack:          ${url}/slack/events   (${mode}${surface.installations ? `, install at ${url}/slack/install` : ""})`,
      ],
      afterListen: () => surface.start(),
      close: () => surface.close(),
    };
  },
};
