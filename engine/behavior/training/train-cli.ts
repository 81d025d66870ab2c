/**
 * `cairn train`: trains every behaviour model on simulated people, checks the ONNX export against the
 * TypeScript reference, and writes models/trained/ and the cards' figures (or, with --check, only compares).
 */

import { TRAINED_DIR } from "../trained-models.ts";
import {
  artifactFiles,
  cardFigures,
  differingArtifacts,
  ONNX_FILE,
  onnxDifference,
  refreshCards,
  writeArtifacts,
} from "./artifacts.ts";
import {
  completionCheckRows,
  FULL_CONFIG,
  QUICK_CONFIG,
  trainBehaviorModels,
} from "./train-behavior-models.ts";

export interface TrainOptions {
  quick: boolean;
  /** Compare with the files in `out` instead of writing them. */
  check: boolean;
  /** Where the artifacts go (default models/trained/); cards are refreshed only for the default place. */
  out?: URL;
}

export interface TrainIo {
  out(text: string): void;
  err(text: string): void;
}

export const ONNX_TOLERANCE = 1e-5;
const CARDS_DIR = new URL("../../../models/cards/", import.meta.url);

/** Exit codes: 0 trained (or, with --check, identical), 1 the ONNX check failed or --check found differences. */
export async function runTrainCommand(options: TrainOptions, io: TrainIo): Promise<number> {
  const config = options.quick ? QUICK_CONFIG : FULL_CONFIG;
  const started = performance.now();
  const progress = (line: string) =>
    io.err(`cairn train: [${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
  const result = trainBehaviorModels(config, progress);
  const files = artifactFiles(result);
  progress("checking the ONNX export against the TypeScript reference");
  const rows = completionCheckRows(config, result.models.effort);
  const difference = await onnxDifference(files.get(ONNX_FILE) ?? new Uint8Array(), result.models, rows);
  if (!(difference <= ONNX_TOLERANCE)) {
    io.err(
      `cairn train: ONNX and TypeScript disagree by ${difference} (> ${ONNX_TOLERANCE}); nothing written`,
    );
    return 1;
  }
  progress(
    `ONNX matches the TypeScript reference on ${rows.length} rows (max |Δ| ${difference.toExponential(2)})`,
  );
  const dir = options.out ?? TRAINED_DIR;
  if (options.check) {
    const differing = differingArtifacts(dir, files);
    if (differing.length) {
      io.err(`cairn train: differs from ${dir.pathname}: ${differing.join(", ")}`);
      return 1;
    }
    io.out(JSON.stringify({ identical: [...files.keys()] }));
    return 0;
  }
  writeArtifacts(dir, files);
  const sizes = new Map([...files].map(([name, bytes]) => [name, bytes.length]));
  const cards =
    !options.out && !options.quick ? refreshCards(CARDS_DIR, cardFigures(result.figures, sizes)) : [];
  progress(
    `wrote ${[...files.keys()].join(", ")} to ${dir.pathname}${cards.length ? `; refreshed cards ${cards.join(", ")}` : ""}`,
  );
  io.out(JSON.stringify(result.figures, null, 2));
  return 0;
}
