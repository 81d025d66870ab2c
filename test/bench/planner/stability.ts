/**
 * Stability bench: `node --import tsx test/bench/planner/stability.ts [--scenarios 32] [--changes 3] [--seed 2026]
 * [--suite generated|independent]`.
 * For each scenario: plan it, apply one single change (a meeting in the next 24 h moves, one task is added, or one
 * estimate changes), replan with the first plan as previousBlocks, and count the first plan's blocks starting in
 * the next 24 h that moved although no hard conflict forced them (the block is still valid under the changed
 * input: free working time, block sizes, cap, earliest start, prerequisites). JSON summary on stdout.
 */
import { parseArgs } from "node:util";
import { formatInstant } from "../../../engine/scheduling/explanation/plan-output.ts";
import {
  buildPlanModel,
  type PlanInputRaw,
  type PlanOutput,
  parsePlanInput,
  planSchedule,
} from "../../../engine/scheduling/index.ts";
import { keepablePreviousBlocks } from "../../../engine/scheduling/solver/stability.ts";
import { createRandom } from "../../../models/random.ts";
import { scenarioSuite } from "./scorer.ts";

const { values } = parseArgs({
  options: {
    scenarios: { type: "string", default: "32" },
    changes: { type: "string", default: "3" },
    seed: { type: "string", default: "2026" },
    suite: { type: "string", default: "generated" },
  },
});
const DAY = 24 * 60 * 60_000;

type Change = { kind: "meetingMoved" | "taskAdded" | "estimateChanged"; input: PlanInputRaw; note: string };

function singleChanges(input: PlanInputRaw, random: () => number, count: number): Change[] {
  const now = Date.parse(input.now);
  const changes: Change[] = [];
  const kinds = ["meetingMoved", "taskAdded", "estimateChanged"] as const;
  for (let c = 0; c < count; c++) {
    const kind = kinds[c % kinds.length] ?? "taskAdded";
    const busy = [...(input.busy ?? [])];
    const tasks = [...input.tasks];
    if (kind === "meetingMoved") {
      const soon = busy
        .map((b, i) => ({ b, i }))
        .filter(({ b }) => Date.parse(b.start) >= now && Date.parse(b.start) < now + DAY);
      const pick = soon[Math.floor(random() * soon.length)];
      const at =
        Date.parse(pick?.b.start ?? input.now) +
        (random() < 0.5 ? -1 : 1) * (30 + 30 * Math.floor(random() * 3)) * 60_000;
      const length = pick ? Date.parse(pick.b.end) - Date.parse(pick.b.start) : 30 * 60_000;
      const moved = {
        id: pick?.b.id ?? "moved",
        title: pick?.b.title ?? "Moved meeting",
        start: new Date(Math.max(at, now)).toISOString(),
        end: new Date(Math.max(at, now) + length).toISOString(),
      };
      if (pick) busy[pick.i] = moved;
      else busy.push(moved);
      changes.push({ kind, input: { ...input, busy }, note: `${moved.id} → ${moved.start}` });
    } else if (kind === "taskAdded") {
      const due = new Date(now + (1 + Math.floor(random() * 6)) * DAY).toISOString();
      tasks.push({
        id: `added-${c}`,
        title: "Added task",
        estimateMinutes: 30 + 15 * Math.floor(random() * 6),
        due,
        priority: 1 + Math.floor(random() * 4),
      });
      changes.push({ kind, input: { ...input, tasks }, note: `due ${due}` });
    } else {
      const i = Math.floor(random() * tasks.length);
      const task = tasks[i];
      if (!task) continue;
      const factor = random() < 0.5 ? 0.7 : 1.4;
      const estimateMinutes = Math.max(5, Math.round((task.estimateMinutes * factor) / 5) * 5);
      tasks[i] = { ...task, estimateMinutes };
      changes.push({
        kind,
        input: { ...input, tasks },
        note: `${task.id} ${task.estimateMinutes} → ${estimateMinutes}`,
      });
    }
  }
  return changes;
}

const key = (b: { taskId: string; start: string; end: string }) =>
  `${b.taskId}|${Date.parse(b.start)}|${Date.parse(b.end)}`;

function keepableKeys(input: PlanInputRaw): Set<string> {
  const model = buildPlanModel(parsePlanInput(input));
  return new Set(
    keepablePreviousBlocks(model).map((p) =>
      key({
        taskId: model.tasks[p.task]?.id ?? "",
        start: formatInstant(p.start),
        end: formatInstant(p.start + p.minutes),
      }),
    ),
  );
}

const suite = scenarioSuite(values.suite, Number(values.scenarios), Number(values.seed));
const random = createRandom(Number(values.seed) * 31 + 5);
const byKind: Record<
  string,
  { blocks: number; moved: number; forced: number; unforced: number; changes: number }
> = {};
const rows: Array<Record<string, unknown>> = [];
for (const scenario of suite) {
  const base: PlanInputRaw = { ...scenario.input, previousBlocks: [] };
  const first: PlanOutput = planSchedule(base);
  const now = Date.parse(base.now);
  const soon = first.blocks.filter((b) => Date.parse(b.start) >= now && Date.parse(b.start) < now + DAY);
  for (const change of singleChanges(base, random, Number(values.changes))) {
    const replanInput: PlanInputRaw = {
      ...change.input,
      previousBlocks: first.blocks.map(({ taskId, start, end }) => ({ taskId, start, end })),
    };
    const second = planSchedule(replanInput);
    const kept = new Set(second.blocks.map(key));
    const valid = keepableKeys(replanInput);
    let moved = 0;
    let forced = 0;
    for (const block of soon) {
      if (kept.has(key(block))) continue;
      moved++;
      if (!valid.has(key(block))) forced++;
    }
    const entry = byKind[change.kind] ?? { blocks: 0, moved: 0, forced: 0, unforced: 0, changes: 0 };
    byKind[change.kind] = entry;
    entry.blocks += soon.length;
    entry.moved += moved;
    entry.forced += forced;
    entry.unforced += moved - forced;
    entry.changes++;
    rows.push({
      scenario: scenario.name,
      change: change.kind,
      note: change.note,
      blocksNext24h: soon.length,
      moved,
      forced,
    });
  }
}
const total = Object.values(byKind).reduce(
  (s, e) => ({
    blocks: s.blocks + e.blocks,
    moved: s.moved + e.moved,
    forced: s.forced + e.forced,
    unforced: s.unforced + e.unforced,
    changes: s.changes + e.changes,
  }),
  { blocks: 0, moved: 0, forced: 0, unforced: 0, changes: 0 },
);
process.stdout.write(
  `${JSON.stringify(
    {
      command: `node --import tsx test/bench/planner/stability.ts --scenarios ${values.scenarios} --changes ${values.changes} --seed ${values.seed} --suite ${values.suite}`,
      total: {
        ...total,
        unforcedShare: total.blocks ? Math.round((total.unforced / total.blocks) * 1000) / 1000 : 0,
      },
      byKind,
      rows,
    },
    null,
    2,
  )}\n`,
);
