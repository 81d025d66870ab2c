import { breakdownActions } from "./breakdown.ts";
import { connectionActions } from "./connections.ts";
import { connectionUpdateActions } from "./connections-update.ts";
import type { AnyAction } from "./define.ts";
import { estimateActions } from "./estimates.ts";
import { habitActions } from "./habits.ts";
import { insightActions } from "./insights.ts";
import { nudgeActions } from "./nudges.ts";
import { peopleActions } from "./people.ts";
import { planningActions } from "./planning.ts";
import { tagActions } from "./tags.ts";
import { taskActions } from "./tasks.ts";
import { tokenActions } from "./tokens.ts";
import { whatIfActions } from "./what-if.ts";

/** Every capability Cairn has. A new action added here appears on HTTP, MCP and chat without other changes. */
export const allActions: AnyAction[] = [
  ...taskActions,
  ...tagActions,
  ...breakdownActions,
  ...peopleActions,
  ...planningActions,
  ...habitActions,
  ...insightActions,
  ...whatIfActions,
  ...estimateActions,
  ...nudgeActions,
  ...connectionActions,
  ...connectionUpdateActions,
  ...tokenActions,
];
