import { breakdownActions } from "./breakdown.ts";
import { connectionActions } from "./connections.ts";
import type { AnyAction } from "./define.ts";
import { habitActions } from "./habits.ts";
import { insightActions } from "./insights.ts";
import { peopleActions } from "./people.ts";
import { planningActions } from "./planning.ts";
import { tagActions } from "./tags.ts";
import { taskActions } from "./tasks.ts";
import { tokenActions } from "./tokens.ts";

/** Every capability Cairn has. A new action added here appears on HTTP, MCP and chat without other changes. */
export const allActions: AnyAction[] = [
  ...taskActions,
  ...tagActions,
  ...breakdownActions,
  ...peopleActions,
  ...planningActions,
  ...habitActions,
  ...insightActions,
  ...connectionActions,
  ...tokenActions,
];
