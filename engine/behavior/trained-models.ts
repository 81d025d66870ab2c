/**
 * The trained behaviour models' parameters (models/trained/*.json, written by `cairn train`), validated on
 * load. A file that is missing or fails to load falls back to the hand-set reference parameters below, with a
 * warning on stderr: the answer keeps its shape, only its quality drops.
 */
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

const Hours24 = z.array(z.number().nonnegative()).length(24);

export const PeakHoursModel = z.object({
  model: z.literal("peak-hours"),
  version: z.literal(1),
  populationCurve: Hours24,
  priorMinutes: z.number().positive(),
  afterHoursWeight: z.number().min(0).max(1),
});
export type PeakHoursModel = z.infer<typeof PeakHoursModel>;

export const EffortModel = z.object({
  model: z.literal("effort"),
  version: z.literal(1),
  populationLogRatio: z.number(),
  /** The mean spread (variance of log ratios) within one person's finished tasks. */
  withinPersonVariance: z.number().positive(),
  personPriorSamples: z.number().nonnegative(),
  similarPriorWeight: z.number().nonnegative(),
  /** 10th/90th percentiles of log(actual/predicted), by how many finished samples the person has. */
  intervals: z
    .array(z.object({ minSamples: z.number().int().nonnegative(), low: z.number(), high: z.number() }))
    .min(1),
});
export type EffortModel = z.infer<typeof EffortModel>;

export const COMPLETION_FEATURES = [
  "log slack ratio",
  "log free hours",
  "log remaining hours",
  "on-time record (logit)",
  "procrastination index",
  "started",
  "log days to due",
] as const;

export const CompletionModel = z.object({
  model: z.literal("completion"),
  version: z.literal(1),
  features: z
    .array(z.string())
    .refine((f) => f.join("|") === COMPLETION_FEATURES.join("|"), "feature list changed"),
  weights: z.array(z.number()).length(COMPLETION_FEATURES.length),
  intercept: z.number(),
});
export type CompletionModel = z.infer<typeof CompletionModel>;

export const BurnoutModel = z.object({
  model: z.literal("burnout"),
  version: z.literal(1),
  weights: z.object({
    afterHours: z.number().nonnegative(),
    load: z.number().nonnegative(),
    missed: z.number().nonnegative(),
    weekend: z.number().nonnegative(),
    trend: z.number().nonnegative(),
  }),
});
export type BurnoutModel = z.infer<typeof BurnoutModel>;

export interface TrainedModels {
  peakHours: PeakHoursModel;
  effort: EffortModel;
  completion: CompletionModel;
  burnout: BurnoutModel;
}

const gauss = (h: number, mu: number, sd: number) => Math.exp(-((h + 0.5 - mu) ** 2) / (2 * sd * sd));

/** Hand-set parameters: what Cairn answered before training, and the fallback when a file fails to load. */
export const REFERENCE_MODELS: TrainedModels = {
  peakHours: {
    model: "peak-hours",
    version: 1,
    populationCurve: (() => {
      const raw = Array.from(
        { length: 24 },
        (_, h) => 0.01 + gauss(h, 10.5, 1.5) + 0.6 * gauss(h, 15.5, 1.3),
      );
      const total = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / total);
    })(),
    priorMinutes: 600,
    afterHoursWeight: 1,
  },
  effort: {
    model: "effort",
    version: 1,
    populationLogRatio: Math.log(1.3),
    withinPersonVariance: 0.16,
    personPriorSamples: 3,
    similarPriorWeight: 3,
    intervals: [{ minSamples: 0, low: -0.45, high: 0.55 }],
  },
  completion: {
    model: "completion",
    version: 1,
    features: [...COMPLETION_FEATURES],
    weights: [2.2, 0, 0, 0.5, 0, 0, 0],
    intercept: -0.3 - 0.5 * Math.log(0.7 / 0.3),
  },
  burnout: {
    model: "burnout",
    version: 1,
    weights: { afterHours: 0.25, load: 0.3, missed: 0.2, weekend: 0.1, trend: 0.15 },
  },
};

export const MODEL_FILES = {
  peakHours: "peak-hours.json",
  effort: "effort.json",
  completion: "completion.json",
  burnout: "burnout.json",
} as const;

const SCHEMAS = {
  peakHours: PeakHoursModel,
  effort: EffortModel,
  completion: CompletionModel,
  burnout: BurnoutModel,
};

/**
 * models/trained/ next to the sources; from the compiled dist/engine/behavior/ it is one level further up
 * (bin/build.js copies only the migrations, and the package ships models/ as it is).
 */
export const TRAINED_DIR: URL = (() => {
  const candidates = ["../../models/trained/", "../../../models/trained/"].map(
    (p) => new URL(p, import.meta.url),
  );
  return candidates.find((dir) => existsSync(new URL(MODEL_FILES.peakHours, dir))) ?? (candidates[0] as URL);
})();

export interface LoadedModels {
  models: TrainedModels;
  /** One line per file that fell back to the reference parameters. */
  warnings: string[];
}

/** Reads and validates every model file in `dir`; each one that fails falls back on its own. */
export function loadTrainedModels(dir: URL | string = TRAINED_DIR): LoadedModels {
  const base = typeof dir === "string" ? new URL(`file://${dir.endsWith("/") ? dir : `${dir}/`}`) : dir;
  const warnings: string[] = [];
  const load = <K extends keyof TrainedModels>(key: K): TrainedModels[K] => {
    const file = MODEL_FILES[key];
    try {
      const raw: unknown = JSON.parse(readFileSync(new URL(file, base), "utf8"));
      return SCHEMAS[key].parse(raw) as TrainedModels[K];
    } catch (error) {
      const reason =
        error instanceof z.ZodError
          ? "its contents do not match the model's format"
          : (error as Error).message;
      warnings.push(
        `cairn: the trained model ${file} failed to load (${reason}); using the reference parameters`,
      );
      return REFERENCE_MODELS[key];
    }
  };
  return {
    models: {
      peakHours: load("peakHours"),
      effort: load("effort"),
      completion: load("completion"),
      burnout: load("burnout"),
    },
    warnings,
  };
}

let cached: TrainedModels | undefined;

/** The committed trained models, loaded once per process (warnings go to stderr once). */
export function trainedModels(): TrainedModels {
  if (!cached) {
    const loaded = loadTrainedModels();
    for (const warning of loaded.warnings) process.emitWarning(warning, { code: "CAIRN_MODEL_FALLBACK" });
    cached = loaded.models;
  }
  return cached;
}
