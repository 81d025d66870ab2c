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
import { firstReachable } from "../../engine/messaging/route.ts";
import type { ExtraCommand, FaceModule } from "../modules/types.ts";

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

export const teamsModule: FaceModule = {
  name: "teams",
  commands: [packageCommand],
  async installFace(engine, config, log) {
    const settings = teamsSettings(config);
    if (!settings)
      return {
        describe: () => [
          "Teams:          off (set MicrosoftAppId and MicrosoftAppPassword; README: Microsoft Teams)",
        ],
      };
    if (settings.MicrosoftAppType !== "MultiTenant" && !settings.MicrosoftAppTenantId)
      throw new Error(`MicrosoftAppTenantId is required with MicrosoftAppType=${settings.MicrosoftAppType}.`);
    if (settings.MicrosoftAppType !== "UserAssignedMSI" && !settings.MicrosoftAppPassword)
      log.warn("Teams: MicrosoftAppPassword is not set; the bot can read messages but not answer them.");
    const face: TeamsFace = createTeamsFace({
      engine,
      settings,
      workspace: config.CAIRN_WORKSPACE,
      autoProvision: config.CAIRN_CHAT_AUTO_PROVISION,
      log,
    });
    engine.services.messenger = firstReachable([engine.services.messenger, teamsAsMessenger(face.messenger)]);
    return {
      mounts: [{ path: "/", router: face.router }],
      describe: (url) => [`Teams bot:      ${url}${MESSAGES_PATH}   (bot ${settings.MicrosoftAppId})`],
    };
  },
};
