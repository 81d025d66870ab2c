/**
 * Feedback on blocks → the slot-preference model. Explicit reactions (accepted, deleted, completed, moved)
 * come through the planning actions; blocks whose time passed without a reaction count as kept, learned by
 * the replan job. Each reaction updates the person's and the workspace's pooled statistics at once.
 */
import type { BlockOutcome } from "../../../models/feedback.ts";
import type { Queryable } from "../../db/port.ts";
import { listBlocks, listBusyEvents, type StoredBlock } from "../../db/repositories/plans.ts";
import type { EngineServices } from "../../services.ts";
import { loadPlanningProfile } from "../input/profile.ts";
import {
  loadLearnerState,
  MOVED_TO,
  recordSlotObservations,
  rewardOf,
  SlotDescriber,
  type SlotObservation,
} from "./slot-preference.ts";

const DAY = 24 * 3_600_000;
/** Implicit "kept" feedback looks back at most this far. */
const IMPLICIT_LOOKBACK_MS = 14 * DAY;

async function describerAround(tx: Queryable, personId: string, fromMs: number, toMs: number) {
  const profile = await loadPlanningProfile(tx, personId);
  const busy = await listBusyEvents(
    tx,
    personId,
    new Date(fromMs - DAY).toISOString(),
    new Date(toMs + DAY).toISOString(),
  );
  return new SlotDescriber(profile, busy);
}

export interface BlockReaction {
  block: Pick<StoredBlock, "start" | "end" | "taskEnergy" | "taskDue">;
  outcome: BlockOutcome;
  /** Where the person moved it to, when moved. */
  movedTo?: { start: string; end: string };
}

/** Records explicit reactions to blocks as observations of the person's slot preferences. */
export async function recordBlockReactions(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  reactions: readonly BlockReaction[],
): Promise<void> {
  if (reactions.length === 0) return;
  const times = reactions.flatMap((r) => [
    Date.parse(r.block.start),
    Date.parse(r.movedTo?.end ?? r.block.end),
  ]);
  const describer = await describerAround(tx, personId, Math.min(...times), Math.max(...times));
  const observations: SlotObservation[] = [];
  for (const reaction of reactions) {
    const task = { energy: reaction.block.taskEnergy, due: reaction.block.taskDue };
    observations.push({
      context: describer.describe(task, Date.parse(reaction.block.start), Date.parse(reaction.block.end)),
      reward: rewardOf(reaction.outcome),
    });
    if (reaction.movedTo) {
      observations.push({
        context: describer.describe(
          task,
          Date.parse(reaction.movedTo.start),
          Date.parse(reaction.movedTo.end),
        ),
        reward: MOVED_TO,
      });
    }
  }
  await recordSlotObservations(tx, workspaceId, personId, observations);
}

/** Blocks whose time has passed since the last look count as kept (or completed); returns how many. */
export async function learnFromPastBlocks(
  services: EngineServices,
  workspaceId: string,
  personId: string,
): Promise<number> {
  const now = services.now();
  return services.db.scoped(workspaceId, async (tx) => {
    const state = await loadLearnerState(tx, personId);
    const since = Math.max(
      now.getTime() - IMPLICIT_LOOKBACK_MS,
      state.implicitUntil ? Date.parse(state.implicitUntil) : 0,
    );
    const blocks = (
      await listBlocks(tx, personId, {
        from: new Date(since).toISOString(),
        statuses: ["planned", "accepted", "done"],
      })
    ).filter(
      (b) => b.kind === "task" && b.taskId && Date.parse(b.end) <= now.getTime() && Date.parse(b.end) > since,
    );
    if (blocks.length === 0) return 0;
    const reactions: BlockReaction[] = blocks.map((block) => ({
      block,
      outcome: block.status === "done" ? "completed" : "kept",
    }));
    const times = blocks.flatMap((b) => [Date.parse(b.start), Date.parse(b.end)]);
    const describer = await describerAround(tx, personId, Math.min(...times), Math.max(...times));
    const observations = reactions.map((r) => ({
      context: describer.describe(
        { energy: r.block.taskEnergy, due: r.block.taskDue },
        Date.parse(r.block.start),
        Date.parse(r.block.end),
      ),
      reward: rewardOf(r.outcome),
    }));
    await recordSlotObservations(tx, workspaceId, personId, observations, now.toISOString());
    return observations.length;
  });
}
