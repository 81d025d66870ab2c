/**
 * A history for the console bench's signed-in person (`--tasks N`): 70 % of the tasks finished over the last
 * 90 days with their start and completion events and a kept focus block for every third, the rest open, a
 * third of those due in the next 60 days. Seeded, so both builds measured side by side get the same rows.
 */
import type { Db } from "../../../engine/db/port.ts";
import { appendEvent } from "../../../engine/db/repositories/event-log.ts";
import { insertBlock } from "../../../engine/db/repositories/plans.ts";
import { insertTask, updateTaskFields } from "../../../engine/db/repositories/tasks.ts";
import { seededRandom } from "../support/stats.ts";

const DAY = 86_400_000;
const CHUNK = 500;
const TAGS = ["reports", "bugs", "reviews", "planning", "email"];

export async function seedHistory(db: Db, personId: string, count: number, seed = 2026): Promise<void> {
  const workspaceId = await db.system(async (tx) => {
    const { rows } = await tx.query<{ workspace_id: string }>(
      "SELECT workspace_id FROM people WHERE id = $1",
      [personId],
    );
    const found = rows[0]?.workspace_id;
    if (!found) throw new Error(`no person ${personId}`);
    return found;
  });
  const random = seededRandom(seed);
  const now = Date.now();
  for (let from = 0; from < count; from += CHUNK) {
    await db.scoped(workspaceId, async (tx) => {
      for (let i = from; i < Math.min(count, from + CHUNK); i++) {
        const finished = i % 10 < 7;
        const estimate = 15 * (1 + Math.floor(random() * 12));
        const task = await insertTask(tx, workspaceId, {
          title: `Task ${i}`,
          parentId: null,
          description: "",
          status: finished ? "done" : "todo",
          priority: 1 + (i % 4),
          estimateMinutes: estimate,
          due: !finished && i % 3 === 0 ? new Date(now + random() * 60 * DAY).toISOString() : null,
          earliestStart: null,
          dependsOn: [],
          tags: [TAGS[i % TAGS.length] as string],
          splittable: true,
          energy: "medium",
          personId,
          source: "cairn",
          externalId: null,
          connectionId: null,
          url: null,
          embedding: null,
        });
        if (!finished) continue;
        const started = now - (1 + random() * 88) * DAY;
        const completed = new Date(started + estimate * (0.8 + random()) * 60_000);
        await updateTaskFields(tx, task.id, { completedAt: completed.toISOString() });
        const base = { workspaceId, personId, taskId: task.id };
        await appendEvent(tx, { ...base, type: "task_started", occurredAt: new Date(started) });
        await appendEvent(tx, { ...base, type: "task_completed", occurredAt: completed });
        if (i % 3 === 0) {
          await insertBlock(tx, workspaceId, personId, 0, {
            taskId: task.id,
            start: new Date(started).toISOString(),
            end: completed.toISOString(),
            kind: "task",
            status: "done",
            explanation: { reason: "bench" },
          });
        }
      }
    });
  }
}
