/**
 * How a person's reaction to an offered block becomes a reward for the slot-preference model. Shared by the
 * simulator (training and evaluation) and the engine (online updates from the event log).
 */
export type BlockOutcome =
  /** Explicitly accepted, or still in place when its time passed. */
  | "kept"
  /** Done in the block, on time. */
  | "completed"
  /** Done, but finishing after the block's end: the slot was roughly right, the length not. */
  | "completed_late"
  /** Moved elsewhere by the person: the offered slot was wrong. */
  | "moved"
  /** Removed by the person. */
  | "deleted";

export const OUTCOME_REWARD: Record<BlockOutcome, number> = {
  kept: 1,
  completed: 1,
  completed_late: 0.6,
  moved: 0,
  deleted: 0,
};

/** The slot a person moved a block to says what they wanted: it counts as a kept slot. */
export const MOVED_TO_REWARD = 1;

/** Outcomes that count as "kept" in the kept-block rate. */
export function isKept(outcome: BlockOutcome): boolean {
  return outcome === "kept" || outcome === "completed" || outcome === "completed_late";
}
