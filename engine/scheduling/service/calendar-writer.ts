/**
 * The hook through which stored plans reach people's calendars. The engine only defines it; the composition
 * root registers an implementation (on top of the calendar connectors) in services.extensions under
 * CALENDAR_BLOCK_WRITER. After every stored plan version the planner calls `syncBlocks`: the writer creates,
 * moves or deletes the events Cairn owns (blocks.calendar_event_id / calendar_events.cairn_block_id) so they
 * match the person's current blocks, and never touches events Cairn did not create.
 */
import type { EngineServices } from "../../services.ts";

export interface CalendarBlockWriter {
  syncBlocks(workspaceId: string, personId: string, planVersion: number): Promise<void>;
}

export const CALENDAR_BLOCK_WRITER = "calendarBlockWriter";

export function calendarBlockWriter(services: EngineServices): CalendarBlockWriter | undefined {
  const writer = services.extensions.get(CALENDAR_BLOCK_WRITER);
  if (writer && typeof (writer as CalendarBlockWriter).syncBlocks === "function")
    return writer as CalendarBlockWriter;
  return undefined;
}

/** Runs the registered writer, if any; a failing writer is logged and never fails the plan. */
export async function writeBlocksToCalendar(
  services: EngineServices,
  workspaceId: string,
  personId: string,
  planVersion: number,
): Promise<boolean> {
  const writer = calendarBlockWriter(services);
  if (!writer) return false;
  try {
    await writer.syncBlocks(workspaceId, personId, planVersion);
    return true;
  } catch (error) {
    services.log.warn(
      { err: error, workspaceId, personId, planVersion },
      "calendar write-back of blocks failed",
    );
    return false;
  }
}
