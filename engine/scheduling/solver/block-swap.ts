import type { PlanModel } from "../input/plan-model.ts";
import { compareCost, costOf, type DecodedPlan, type Placement } from "./decoder.ts";

/** Upper bound on the block pairs examined by one call (keeps the pass deterministic and bounded). */
const MAX_PAIRS = 60_000;

/**
 * Placement-level moves the order-and-greedy decoder cannot make: a late task's last block trades places with an
 * equally long, earlier block of a task that has the slack to finish later. The two blocks keep their slots, so
 * working hours, meetings, buffers and daily caps hold as before; a swap is made only when the late task may
 * start there (earliest start, prerequisites done), the other task's dependents still start after it finishes,
 * neither task's blocks touch another of its own blocks in one free stretch, and the plan's weighted
 * tardiness drops. Blocks kept from the previous plan never move. Deterministic: tasks by tardiness, blocks by
 * start, at most MAX_PAIRS pairs.
 */
export function improveBySwaps(model: PlanModel, plan: DecodedPlan): DecodedPlan {
  const { tasks, grid } = model;
  const g = grid.granularity;
  const gapSlots = Math.max(1, Math.ceil(model.input.person.preferences.bufferMinutes / g));
  const placements = plan.placements.map((p) => ({ ...p }));
  const byTask = new Map<number, Placement[]>();
  for (const p of placements) {
    const list = byTask.get(p.task) ?? [];
    list.push(p);
    byTask.set(p.task, list);
  }
  const finished = (j: number) => (plan.remaining[j] ?? 0) <= 0 && (byTask.get(j)?.length ?? 0) > 0;
  const endOf = (j: number, except?: Placement, extra?: number): number => {
    let end = extra ?? Number.NEGATIVE_INFINITY;
    for (const p of byTask.get(j) ?? []) if (p !== except) end = Math.max(end, p.start + p.minutes);
    return end;
  };
  const firstStartOf = (j: number): number => {
    let start = Number.POSITIVE_INFINITY;
    for (const p of byTask.get(j) ?? []) start = Math.min(start, p.start);
    return start;
  };
  const tardiness = (j: number, end: number): number => {
    const task = tasks[j];
    if (!task || task.due === null || end <= task.due) return 0;
    return task.weight * (end - task.due);
  };
  /** True when a block of task j at `slot` (ignoring `except`) keeps the buffer from j's other blocks in its run. */
  const clearOfOwn = (j: number, slot: number, minutes: number, except: Placement): boolean => {
    const run = grid.slots[slot]?.run;
    const end = slot + Math.ceil(minutes / g);
    for (const p of byTask.get(j) ?? []) {
      if (p === except || grid.slots[p.slot]?.run !== run) continue;
      const pEnd = p.slot + Math.ceil(p.minutes / g);
      if (p.slot < end + gapSlots && slot < pEnd + gapSlots) return false;
    }
    return true;
  };

  let pairs = 0;
  let changed = false;
  for (let round = 0; round < 3 && pairs < MAX_PAIRS; round++) {
    let improvedThisRound = false;
    const late = tasks
      .filter((t) => finished(t.index) && tardiness(t.index, endOf(t.index)) > 0)
      .map((t) => ({ j: t.index, cost: tardiness(t.index, endOf(t.index)) }))
      .sort((a, b) => b.cost - a.cost || a.j - b.j);
    for (const { j: a } of late) {
      const taskA = tasks[a];
      if (!taskA) continue;
      let predsEnd = taskA.release;
      for (const p of taskA.preds) predsEnd = Math.max(predsEnd, endOf(p));
      const candidates = [...placements].sort((x, y) => x.start - y.start || x.task - y.task);
      let again = true;
      while (again && pairs < MAX_PAIRS) {
        again = false;
        const blocksA = byTask.get(a) ?? [];
        const last = blocksA.reduce<Placement | null>(
          (m, p) => (!m || p.start + p.minutes > m.start + m.minutes ? p : m),
          null,
        );
        if (!last || last.kept) break;
        const oldA = tardiness(a, endOf(a));
        if (oldA <= 0) break;
        for (const other of candidates) {
          if (other.start >= last.start) break;
          pairs++;
          const b = other.task;
          if (b === a || other.kept || other.start < predsEnd || other.minutes < last.minutes) continue;
          // A longer block is split: the late task takes its head, the other task keeps the tail.
          const tail = other.minutes - last.minutes;
          const taskB = tasks[b];
          if (
            tail > 0 &&
            (!taskB?.splittable ||
              last.minutes % g !== 0 ||
              tail < taskB.minChunk ||
              last.minutes < taskB.minChunk)
          ) {
            continue;
          }
          const newEndA = endOf(a, last, other.start + other.minutes);
          const bFinished = finished(b);
          const newEndB = bFinished ? endOf(b, other, last.start + last.minutes) : Number.NaN;
          const gain =
            oldA - tardiness(a, newEndA) + (bFinished ? tardiness(b, endOf(b)) - tardiness(b, newEndB) : 0);
          if (gain <= 1e-6) continue;
          // No swap that makes more tasks late: the search may have paid tardiness to put B on time.
          const lateAfter =
            (tardiness(a, newEndA) > 0 ? 1 : 0) + (bFinished && tardiness(b, newEndB) > 0 ? 1 : 0);
          const lateBefore = 1 + (bFinished && tardiness(b, endOf(b)) > 0 ? 1 : 0);
          if (lateAfter > lateBefore) continue;
          if (bFinished && (tasks[b]?.succs ?? []).some((s) => firstStartOf(s) < newEndB)) continue;
          if (!clearOfOwn(a, other.slot, last.minutes, last)) continue;
          if (tail === 0 && !clearOfOwn(b, last.slot, last.minutes, other)) continue;
          if (tail > 0) {
            // B's two pieces: the tail in place and the moved head; each must clear B's other blocks.
            const tailSlot = other.slot + last.minutes / g;
            const [slotA] = [last.slot];
            const okTail = clearOfOwn(b, tailSlot, tail, other);
            const okHead = clearOfOwn(b, slotA, last.minutes, other);
            const apart =
              grid.slots[tailSlot]?.run !== grid.slots[slotA]?.run ||
              Math.abs(tailSlot - slotA) > Math.ceil(Math.max(tail, last.minutes) / g) + gapSlots;
            if (!okTail || !okHead || !apart) continue;
          }
          const [slotA, startA] = [last.slot, last.start];
          last.slot = other.slot;
          last.start = other.start;
          if (tail > 0) {
            const head: Placement = {
              task: b,
              slot: slotA,
              start: startA,
              minutes: last.minutes,
              kept: false,
            };
            other.slot += last.minutes / g;
            other.start += last.minutes;
            other.minutes = tail;
            delete other.preferred;
            placements.push(head);
            byTask.get(b)?.push(head);
          } else {
            other.slot = slotA;
            other.start = startA;
          }
          changed = true;
          improvedThisRound = true;
          again = true;
          break;
        }
      }
    }
    if (!improvedThisRound) break;
  }
  if (!changed) return plan;
  const completion = plan.remaining.map((r, j) => (r <= 0 ? endOf(j) : Number.NaN));
  const cost = costOf(model, placements, plan.remaining, completion);
  if (compareCost(cost, plan.cost) >= 0) return plan;
  return { ...plan, placements, completion, cost };
}
