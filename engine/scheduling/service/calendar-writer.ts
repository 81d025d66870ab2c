/**
 * The port through which stored plans reach people's calendars. The engine only defines it; the composition
 * root sets an implementation (on top of the calendar connectors) as `services.calendarWriter`. After every
 * stored plan version the planner calls `syncBlocks`: the writer creates, moves or deletes the events Cairn
 * owns (blocks.calendar_event_id / calendar_events.cairn_block_id) so they match the person's current blocks,
 * and never touches events Cairn did not create.
 */
import type { Logger } from "../../logger.ts";

export interface CalendarWriter {
  syncBlocks(workspaceId: string, personId: string, planVersion: number): Promise<void>;
}

/** Runs the writer, if there is one; a failing writer is logged and never fails the plan. */
export async function writeBlocksToCalendar(
  writer: CalendarWriter | undefined,
  log: Logger,
  plan: { workspaceId: string; personId: string; planVersion: number },
): Promise<boolean> {
  if (!writer) return false;
  try {
    await writer.syncBlocks(plan.workspaceId, plan.personId, plan.planVersion);
    return true;
  } catch (error) {
    log.warn({ err: error, ...plan }, "calendar write-back of blocks failed");
    return false;
  }
}
