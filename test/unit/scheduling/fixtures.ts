import type { PlanInputRaw, PlanOutput } from "../../../engine/scheduling/index.ts";
import { checkHardRules } from "../../../engine/scheduling/index.ts";

type Task = PlanInputRaw["tasks"][number];

/** A small valid scenario in Berlin: Mon–Fri 09:00–17:00, from Monday 2 March 2026 07:00 local for one week. */
export function scenario(overrides: Partial<PlanInputRaw> = {}): PlanInputRaw {
  const nineToFive = [{ start: "09:00", end: "17:00" }];
  return {
    person: {
      timezone: "Europe/Berlin",
      workingHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
      preferences: {
        minBlockMinutes: 30,
        maxBlockMinutes: 120,
        bufferMinutes: 10,
        maxFocusMinutesPerDay: 480,
      },
      energy: { peakHours: [[9, 12]] },
    },
    now: "2026-03-02T06:00:00Z",
    horizon: { start: "2026-03-02T00:00:00+01:00", end: "2026-03-09T00:00:00+01:00" },
    busy: [],
    tasks: [],
    previousBlocks: [],
    ...overrides,
  };
}

export function task(id: string, estimateMinutes: number, extra: Partial<Task> = {}): Task {
  return { id, title: `Task ${id}`, estimateMinutes, ...extra };
}

export function minutes(block: { start: string; end: string }): number {
  return (Date.parse(block.end) - Date.parse(block.start)) / 60_000;
}

export function blocksOf(output: PlanOutput, taskId: string) {
  return output.blocks.filter((b) => b.taskId === taskId);
}

export function totalMinutes(output: PlanOutput, taskId: string): number {
  return blocksOf(output, taskId).reduce((sum, b) => sum + minutes(b), 0);
}

/** Asserts the independent checker finds nothing wrong; returns the output for chaining. */
export function assertValid(input: PlanInputRaw, output: PlanOutput): PlanOutput {
  const violations = checkHardRules(input, output);
  if (violations.length > 0) {
    throw new Error(
      `hard-rule violations:\n${violations.map((v) => `  ${v.rule}: ${v.message}`).join("\n")}`,
    );
  }
  return output;
}
