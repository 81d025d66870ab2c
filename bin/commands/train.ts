/** `cairn train`: a pure command (no config, no database) that reproduces the behaviour models. */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runTrainCommand } from "../../engine/behavior/training/train-cli.ts";
import type { ExtraCommand } from "../modules/types.ts";

export const trainCommand: ExtraCommand = {
  name: "train",
  usage: "train [--quick] [--check] [--out <dir>]",
  summary: "reproduce the behaviour models from simulated people (models/trained/, cards)",
  noConfig: true,
  async run(args, io) {
    // Unknown options throw ERR_PARSE_ARGS_*, which bin/cairn.ts turns into exit 2 with the usage hint.
    const { values } = parseArgs({
      args,
      options: {
        quick: { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        out: { type: "string" },
      },
    });
    const out = values.out ? pathToFileURL(`${resolve(values.out)}/`) : undefined;
    return runTrainCommand({ quick: values.quick, check: values.check, ...(out ? { out } : {}) }, io);
  },
};
