import { mcpModule } from "./mcp.ts";
import { planningModule } from "./planning.ts";
import { syncModule } from "./sync.ts";
import type { FaceModule } from "./types.ts";

/** Every module wired into this build, in start order. */
export const faceModules: FaceModule[] = [planningModule, syncModule, mcpModule];
