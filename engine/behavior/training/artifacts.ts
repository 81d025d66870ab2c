/**
 * What `cairn train` writes: the models' JSON parameters, the completion model as ONNX, the held-out figures
 * (models/trained/), and the figures sections of the model cards (models/cards/). Byte-identical for the same
 * configuration: nothing here depends on the clock or the machine.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { logisticOnnxModel } from "../../../models/onnx/logistic-model.ts";
import { completionProbability } from "../completion.ts";
import { MODEL_FILES, type TrainedModels } from "../trained-models.ts";
import type { Figures, TrainResult } from "./train-behavior-models.ts";

export const ONNX_FILE = "completion.onnx";
export const FIGURES_FILE = "figures.json";

const WIDTH = 110;

/**
 * JSON laid out the way the repository's formatter (biome) lays it out, so committed artifacts stay
 * byte-identical after formatting: objects expanded, a primitive array on one line when it fits, numbers
 * filled up to the line width otherwise, anything else one item per line.
 */
export function formatJson(value: unknown, indent = "", prefix = ""): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const primitive = value.every((v) => v === null || typeof v !== "object");
    const flat = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    if (primitive && indent.length + prefix.length + flat.length + 1 <= WIDTH) return flat;
    if (value.every((v) => typeof v === "number")) {
      const lines: string[] = [];
      let line = "";
      for (const v of value.map((x) => JSON.stringify(x))) {
        const next = line ? `${line}, ${v}` : v;
        if (line && inner.length + next.length + 1 > WIDTH) {
          lines.push(`${line},`);
          line = v;
        } else line = next;
      }
      lines.push(line);
      return `[\n${lines.map((l) => inner + l).join("\n")}\n${indent}]`;
    }
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const body = entries.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${formatJson(v, inner, key)}`;
  });
  return `{\n${body.join(",\n")}\n${indent}}`;
}

const json = (value: unknown) => new TextEncoder().encode(`${formatJson(value)}\n`);

/** File name → bytes, in a fixed order. */
export function artifactFiles(result: TrainResult): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const key of Object.keys(MODEL_FILES) as (keyof TrainedModels)[])
    files.set(MODEL_FILES[key], json(result.models[key]));
  files.set(ONNX_FILE, logisticOnnxModel(result.models.completion, "completion_likelihood"));
  files.set(FIGURES_FILE, json(result.figures));
  return files;
}

export function writeArtifacts(dir: URL, files: Map<string, Uint8Array>): void {
  for (const [name, bytes] of files) writeFileSync(new URL(name, dir), bytes);
}

/** Names of the files in `dir` whose bytes differ from `files` (or that are missing). */
export function differingArtifacts(dir: URL, files: Map<string, Uint8Array>): string[] {
  const out: string[] = [];
  for (const [name, bytes] of files) {
    let current: Buffer | undefined;
    try {
      current = readFileSync(new URL(name, dir));
    } catch {
      current = undefined;
    }
    if (!current || Buffer.compare(current, Buffer.from(bytes)) !== 0) out.push(name);
  }
  return out;
}

/** Largest |ONNX − TypeScript| probability over the rows (onnxruntime-node, float32 inside the graph). */
export async function onnxDifference(
  onnx: Uint8Array,
  models: TrainedModels,
  rows: number[][],
): Promise<number> {
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnx);
  const d = models.completion.weights.length;
  const features = new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, d]);
  const output = await session.run({ features });
  const probabilities = output.probability?.data as Float32Array;
  let worst = 0;
  rows.forEach((row, i) => {
    worst = Math.max(
      worst,
      Math.abs((probabilities[i] ?? Number.NaN) - completionProbability(models.completion, row)),
    );
  });
  await session.release();
  return Number.isNaN(worst) ? Number.POSITIVE_INFINITY : worst;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;

/** The generated figures section of each card, keyed by card file name. */
export function cardFigures(figures: Figures, sizes: Map<string, number>): Map<string, string> {
  const c = figures.config;
  const data = `${c.trainPeople} training people and ${c.testPeople} held-out people (seeds ${c.trainSeed} / ${c.testSeed}), ${c.days} simulated days each`;
  const size = (file: string) => `${sizes.get(file) ?? 0} bytes`;
  const p = figures.peakHours;
  const e = figures.effort;
  const k = figures.completion;
  const b = figures.burnout;
  return new Map([
    [
      "peak-hours.md",
      `Trained on ${data}. Held-out people after 14 days of history: ${p.people}.

| metric: best hour within ±1 h of the hidden peak | share of people |
| ------------------------------------------------ | --------------- |
| this model (shrunk toward the population curve)  | **${pct(p.hitRate)}** |
| baseline: the population's best hour for everyone | ${pct(p.baselineHitRate)} |
| raw histogram argmax (no prior, all hours)        | ${pct(p.rawArgmaxHitRate)} |

Size: ${size("peak-hours.json")} (models/trained/peak-hours.json).`,
    ],
    [
      "effort.md",
      `Trained on ${data}. Held-out open tasks later finished: ${e.tasks}.

| metric                                   | value |
| ---------------------------------------- | ----- |
| median \\|log(actual / predicted)\\|, this model | **${e.medianAbsLogError}** |
| baseline: the raw estimate               | ${e.baselineMedianAbsLogError} |
| improvement over the raw estimate        | **${pct(e.improvement)}** (target ≥ 30 %) |
| 80 % interval coverage                   | **${pct(e.coverage)}** (target 75–85 %) |
| the hand-set reference (before training) | ${e.referenceMedianAbsLogError} |

Size: ${size("effort.json")} (models/trained/effort.json).`,
    ],
    [
      "completion.md",
      `Trained on ${data}. Held-out open tasks with a due time: ${k.tasks} (${pct(k.positiveRate)} done by it).

| model                                              | AUC | expected calibration error |
| -------------------------------------------------- | --- | -------------------------- |
| this model (7 features)                            | **${k.auc}** | **${k.ece}** |
| baseline: slack only (raw estimates, fitted logistic) | ${k.baselineAuc} | ${k.baselineEce} |
| the hand-set reference (before training)           | ${k.referenceAuc} | ${k.referenceEce} |

Targets: AUC ≥ 0.85, calibration error ≤ 0.05. Size: ${size("completion.json")} (JSON), ${size(ONNX_FILE)} (ONNX).`,
    ],
    [
      "burnout.md",
      `Trained on ${data}. Held-out people with a personal history: ${b.people}.

| metric: Spearman ρ with the hidden exhaustion | ρ |
| --------------------------------------------- | - |
| this model (fitted non-negative weights)      | **${b.spearman}** |
| baseline: the hand-set weights                | ${b.baselineSpearman} |

Target ρ ≥ 0.7. Size: ${size("burnout.json")} (models/trained/burnout.json).`,
    ],
    [
      "procrastination.md",
      `Checked on ${figures.procrastination.people} held-out people (${data}): Spearman ρ of the index with the hidden
procrastination tendency = **${figures.procrastination.spearman}**. No trained parameters (the weights are hand-set and
stated in engine/behavior/procrastination.ts).`,
    ],
    [
      "score.md",
      `Checked on ${figures.score.people} held-out people (${data}): Spearman ρ of the score with the share of the next
7 days' due tasks the person then finished on time = **${figures.score.spearmanWithNextWeekOnTime}**. No trained parameters.`,
    ],
  ]);
}

const START = "<!-- cairn train: figures -->";
const END = "<!-- /cairn train -->";

/** Replaces each card's figures section (between the markers); returns the cards it changed. */
export function refreshCards(cardsDir: URL, sections: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [name, text] of sections) {
    const url = new URL(name, cardsDir);
    const card = readFileSync(url, "utf8");
    const start = card.indexOf(START);
    const end = card.indexOf(END);
    if (start < 0 || end < start) throw new Error(`models/cards/${name} has no ${START} … ${END} section`);
    const next = `${card.slice(0, start + START.length)}\n${text}\n${card.slice(end)}`;
    if (next !== card) {
      writeFileSync(url, next);
      changed.push(name);
    }
  }
  return changed;
}
