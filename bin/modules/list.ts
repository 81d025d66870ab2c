import { engineLlmModule } from "../engine-llm.ts";
import { chatModule } from "../faces/chat.ts";
import { emailModule } from "../faces/email.ts";
import { mcpModule } from "../faces/mcp.ts";
import { slackModule } from "../faces/slack.ts";
import { teamsModule } from "../faces/teams.ts";
import { insightsModule } from "../workers/insights.ts";
import { nudgesModule } from "../workers/nudges.ts";
import { planningModule } from "../workers/planning.ts";
import { syncModule } from "../workers/sync.ts";
import type { FaceModule } from "./types.ts";

/** Every module wired into this build, in start order. */
export const faceModules: FaceModule[] = [
  engineLlmModule,
  planningModule,
  syncModule,
  nudgesModule,
  insightsModule,
  mcpModule,
  slackModule,
  teamsModule,
  chatModule,
  emailModule,
];
