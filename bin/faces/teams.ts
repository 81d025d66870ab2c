/**
 * Wires bots/teams/ into Cairn: the Bot Framework messaging endpoint POST /api/messages on the main server when
 * MicrosoftAppId is set, and `cairn teams-package` for the app package to upload to Teams.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  createTeamsFace,
  MESSAGES_PATH,
  type TeamsFace,
  type TeamsSettings,
  teamsAppPackage,
} from "../../bots/teams/index.ts";
import { teamsAsMessenger } from "../../bots/teams/messenger.ts";
import { type Config, publicUrl } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import type { ExtraCommand, FaceModule } from "../modules/types.ts";
import { placeMessenger } from "./messenger-slot.ts";

export function teamsSettings(config: Config): TeamsSettings | undefined {
  if (!config.MicrosoftAppId) return undefined;
  return {
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
    ToBotFromChannelOpenIdMetadataUrl: config.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: config.ToBotFromChannelTokenIssuer,
    ToBotFromEmulatorOpenIdMetadataUrl: config.ToBotFromEmulatorOpenIdMetadataUrl,
    ToChannelFromBotLoginUrl: config.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: config.ToChannelFromBotOAuthScope,
    BotOpenIdMetadata: config.BotOpenIdMetadata,
    OAuthApiEndpoint: config.OAuthApiEndpoint,
    ChannelService: config.ChannelService,
  };
}

const packageCommand: ExtraCommand = {
  name: "teams-package",
  usage: "teams-package [--out <file>]",
  summary: "Write the Microsoft Teams app package (manifest.json and icons) as a zip; needs MicrosoftAppId",
  async run(args, io) {
    let out = "cairn-teams.zip";
    try {
      out = parseArgs({ args, options: { out: { type: "string" } } }).values.out ?? out;
    } catch (error) {
      io.err(
        `cairn teams-package: ${(error as Error).message}. Usage: cairn teams-package [--out cairn-teams.zip]`,
      );
      return 2;
    }
    const config = io.config as Config; // Present: this command loads the configuration.
    if (!config.MicrosoftAppId) {
      io.err(
        "cairn teams-package: MicrosoftAppId is not set. Register a bot (Azure Bot or the Teams Developer Portal) and set MicrosoftAppId and MicrosoftAppPassword.",
      );
      return 2;
    }
    const site = publicUrl(config);
    const zip = teamsAppPackage({ appId: config.MicrosoftAppId, publicUrl: site });
    const path = resolve(out);
    await writeFile(path, zip);
    io.out(
      `Wrote ${path} (${zip.length} bytes): manifest.json (bot ${config.MicrosoftAppId}), color.png, outline.png.`,
    );
    if (!site.startsWith("https://"))
      io.err(
        `cairn teams-package: CAIRN_PUBLIC_URL is ${site}; Teams needs an https URL for the bot's messaging endpoint and the manifest's links.`,
      );
    return 0;
  },
};

/** Why these settings cannot work, or undefined. */
function teamsProblem(settings: TeamsSettings): string | undefined {
  if (settings.MicrosoftAppType !== "MultiTenant" && !settings.MicrosoftAppTenantId)
    return `MicrosoftAppTenantId is required with MicrosoftAppType=${settings.MicrosoftAppType}.`;
  return undefined;
}

/** One Teams face per engine: built in every role (workers send nudges), mounted by the web role. */
const faces = new WeakMap<Engine, TeamsFace>();

function teamsFace(engine: Engine, config: Config, settings: TeamsSettings, log: Logger): TeamsFace {
  let face = faces.get(engine);
  if (!face) {
    face = createTeamsFace({
      engine,
      settings,
      workspace: config.CAIRN_WORKSPACE,
      autoProvision: config.CAIRN_CHAT_AUTO_PROVISION,
      log,
    });
    faces.set(engine, face);
    placeMessenger(engine, "teams", teamsAsMessenger(face.messenger));
  }
  return face;
}

export const teamsModule: FaceModule = {
  name: "teams",
  commands: [packageCommand],
  prepare(engine, config, log) {
    const settings = teamsSettings(config);
    if (!settings || teamsProblem(settings)) return;
    teamsFace(engine, config, settings, log);
  },
  async installFace(engine, config, log) {
    const settings = teamsSettings(config);
    if (!settings)
      return {
        describe: () => [
          "Teams:          off (set MicrosoftAppId and MicrosoftAppPassword; README: Microsoft Teams)",
        ],
      };
    const problem = teamsProblem(settings);
    if (problem) throw new Error(problem);
    if (settings.MicrosoftAppType !== "UserAssignedMSI" && !settings.MicrosoftAppPassword)
      log.warn("Teams: MicrosoftAppPassword is not set; the bot can read messages but not answer them.");
    const face = teamsFace(engine, config, settings, log);
    return {
      mounts: [{ path: "/", router: face.router }],
      describe: (url) => [`Teams bot:      ${url}${MESSAGES_PATH}   (bot ${settings.MicrosoftAppId})`],
    };
  },
};
