/** The behaviour estimators behind `cairn insights`, each on small hand-made histories. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { insightsFromRaw } from "../../../engine/behavior/insights-from-history.ts";
import { InsightsInputError } from "../../../engine/behavior/insights-input.ts";
import { peakFromMinutes } from "../../../engine/behavior/peak-hours.ts";
import { trainedModels } from "../../../engine/behavior/trained-models.ts";
import { history, withOpenTask } from "./history-fixtures.ts";

const hoursAgo = (now: string, h: number) => new Date(Date.parse(now) - h * 3_600_000).toISOString();
const hoursAhead = (now: string, h: number) => new Date(Date.parse(now) + h * 3_600_000).toISOString();

describe("peak hours", () => {
  it("finds the afternoon for a person who works 14-17 after 14 days", () => {
    const out = insightsFromRaw(history({ days: 14, focusHour: 14, focusHours: 3 }));
    assert.equal(out.basis, "personal");
    assert.ok(out.peakHours.bestHour >= 14 && out.peakHours.bestHour <= 16, String(out.peakHours.bestHour));
    assert.ok(
      out.peakHours.hours.some(([s, e]) => s <= out.peakHours.bestHour && out.peakHours.bestHour < e),
    );
    assert.ok(out.peakHours.confidence > 0.5, String(out.peakHours.confidence));
  });

  it("stays near the population curve and unsure with little data", () => {
    const out = insightsFromRaw(history({ days: 3, focusHour: 14, focusHours: 3 }));
    assert.equal(out.basis, "population");
    // The trained population curve's best hour (mid-morning in the simulated population).
    const population = peakFromMinutes([], false, trainedModels().peakHours).bestHour;
    assert.ok(population >= 9 && population <= 11, String(population));
    assert.equal(out.peakHours.bestHour, population);
    assert.ok(out.peakHours.confidence <= 0.2);
  });

  it("gains confidence with more data", () => {
    const two = insightsFromRaw(history({ days: 14, focusHour: 9 }));
    const eight = insightsFromRaw(history({ days: 56, focusHour: 9 }));
    assert.ok(eight.peakHours.confidence > two.peakHours.confidence);
  });
});

describe("effort calibration", () => {
  it("learns a 1.5x multiplier from actuals 1.5x the estimates and predicts open tasks with it", () => {
    const raw = withOpenTask(history({ days: 28, ratio: 1.5 }), { id: "open", estimateMinutes: 100 });
    const out = insightsFromRaw(raw);
    assert.ok(Math.abs(out.effort.multiplier - 1.5) < 0.07, String(out.effort.multiplier));
    const task = out.effort.tasks.find((t) => t.taskId === "open");
    assert.ok(task);
    assert.ok(Math.abs(task.predictedMinutes - 150) <= 8, String(task.predictedMinutes));
    assert.ok(task.low < task.predictedMinutes && task.predictedMinutes < task.high);
  });

  it("derives actual minutes from focus events when actualMinutes is missing", () => {
    const out = insightsFromRaw(history({ days: 28, ratio: 2, derived: true }));
    assert.ok(Math.abs(out.effort.multiplier - 2) < 0.15, String(out.effort.multiplier));
  });

  it("uses a tag's own multiplier once it has 3 samples", () => {
    let raw = history({ days: 28, ratio: 1, tags: ["admin"] });
    const base = Date.parse(raw.now);
    for (let i = 0; i < 4; i++) {
      const at = new Date(base - (i + 1) * 86_400_000).toISOString();
      raw = withOpenTask(raw, {
        id: `r${i}`,
        tags: ["reports"],
        estimateMinutes: 60,
        createdAt: hoursAgo(at, 48),
        completedAt: at,
        actualMinutes: 180,
      });
    }
    raw = withOpenTask(raw, { id: "rep", tags: ["reports"], estimateMinutes: 60 });
    raw = withOpenTask(raw, { id: "adm", tags: ["admin"], estimateMinutes: 60 });
    const out = insightsFromRaw(raw);
    const rep = out.effort.tasks.find((t) => t.taskId === "rep");
    const adm = out.effort.tasks.find((t) => t.taskId === "adm");
    assert.ok(rep && adm);
    assert.ok(
      rep.predictedMinutes > 1.5 * adm.predictedMinutes,
      `${rep.predictedMinutes} vs ${adm.predictedMinutes}`,
    );
  });

  it("covers every open task, with the population prior when history is short", () => {
    const raw = withOpenTask(withOpenTask(history({ days: 2 }), { id: "a" }), {
      id: "b",
      estimateMinutes: null,
    });
    const out = insightsFromRaw(raw);
    assert.equal(out.basis, "population");
    // The trained population planning-fallacy factor (about 1.25 on simulated people).
    const multiplier = Math.exp(trainedModels().effort.populationLogRatio);
    assert.ok(multiplier > 1.1 && multiplier < 1.4, String(multiplier));
    assert.equal(out.effort.multiplier, Math.round(multiplier * 100) / 100);
    assert.deepEqual(
      out.effort.tasks.map((t) => t.taskId),
      ["a", "b"],
    );
    assert.equal(out.effort.tasks[0]?.predictedMinutes, Math.round(120 * multiplier));
  });
});

describe("completion likelihood", () => {
  const base = history({ days: 14 });
  const now = base.now;

  it("gives a task with no time left a low probability and a task with plenty a high one", () => {
    let raw = withOpenTask(base, { id: "tight", estimateMinutes: 300, due: hoursAhead(now, 1) });
    raw = withOpenTask(raw, { id: "easy", estimateMinutes: 60, due: hoursAhead(now, 24 * 10) });
    raw = withOpenTask(raw, {
      id: "late",
      estimateMinutes: 60,
      due: hoursAgo(now, 5),
      createdAt: hoursAgo(now, 48),
    });
    raw = withOpenTask(raw, { id: "nodue" });
    const out = insightsFromRaw(raw);
    const p = (id: string) => out.completion.find((c) => c.taskId === id)?.probability ?? Number.NaN;
    assert.ok(p("tight") < 0.1, String(p("tight")));
    assert.ok(p("easy") > 0.8, String(p("easy")));
    assert.ok(p("late") < 0.05);
    assert.equal(
      out.completion.find((c) => c.taskId === "nodue"),
      undefined,
    );
  });

  it("counts busy time against the free time", () => {
    const due = hoursAhead(now, 24 * 3);
    const free = withOpenTask(base, { id: "t", estimateMinutes: 600, due });
    const busy = { ...free, busy: [{ start: now, end: due }] };
    const a = insightsFromRaw(free).completion[0]?.probability ?? 0;
    const b = insightsFromRaw(busy).completion[0]?.probability ?? 1;
    assert.ok(b < a, `${b} < ${a}`);
  });
});

describe("procrastination, burnout, score", () => {
  it("raises the procrastination index with late starts, deferrals and last-minute finishes", () => {
    const early = history({ days: 21 });
    const late = structuredClone(early);
    for (const t of late.tasks ?? []) t.createdAt = hoursAgo(t.completedAt ?? "", 24 * 14);
    for (const t of late.tasks ?? []) t.due = hoursAhead(t.completedAt ?? "", 2);
    for (const t of late.tasks ?? [])
      late.events?.push({ type: "task_deferred", at: hoursAgo(t.completedAt ?? "", 24), taskId: t.id });
    const a = insightsFromRaw(early).procrastination;
    const b = insightsFromRaw(late).procrastination;
    assert.ok(b.index > a.index + 0.2, `${b.index} vs ${a.index}`);
    assert.ok(b.factors.every((f) => typeof f.value === "number" && f.effect >= 0));
  });

  it("raises burnout risk with after-hours and weekend work", () => {
    const steady = history({ days: 14, focusHour: 10 });
    const evenings = history({ days: 14, focusHour: 20, focusHours: 3 });
    const a = insightsFromRaw(steady).burnout;
    const b = insightsFromRaw(evenings).burnout;
    assert.ok(b.risk > a.risk, `${b.risk} vs ${a.risk}`);
    assert.equal(a.level, "low");
    assert.ok(b.factors.find((f) => f.name === "after-hours work")?.value === 1);
  });

  it("scores kept blocks and on-time work, with a streak up to now and a plain explanation", () => {
    const out = insightsFromRaw(history({ days: 14 }));
    assert.ok(out.score.value >= 70 && out.score.value <= 100, String(out.score.value));
    // now is a Friday morning: Mon-Thu of this week had completions.
    assert.equal(out.score.streakDays, 4);
    assert.match(out.score.explanation, /blocks kept/);
  });

  it("is deterministic", () => {
    const raw = withOpenTask(history({ days: 21, ratio: 1.3 }), { id: "x", due: "2026-03-25T12:00:00Z" });
    assert.equal(JSON.stringify(insightsFromRaw(raw)), JSON.stringify(insightsFromRaw(structuredClone(raw))));
  });
});

describe("bad input", () => {
  it("names the item", () => {
    const raw = withOpenTask(history({ days: 3 }), { id: "x", due: "friday" });
    assert.throws(
      () => insightsFromRaw(raw),
      (e: unknown) => e instanceof InsightsInputError && /^tasks\[\d+\]\.due: /.test(e.message),
    );
    const bad = { ...history({ days: 3 }), events: [{ type: "lunch", at: "2026-03-01T10:00:00Z" }] };
    assert.throws(() => insightsFromRaw(bad), /events\[0\]\.type/);
  });
});
