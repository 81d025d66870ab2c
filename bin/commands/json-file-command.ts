/** A pure command that reads one JSON file (`--input <file|->`) and prints JSON: `cairn plan`, `cairn insights`. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { JsonCommandIo } from "../../engine/json-file-command.ts";
import type { ExtraCommand } from "../modules/types.ts";

export function jsonFileCommand(spec: {
  name: string;
  summary: string;
  /** What the file holds, for the usage line: "scenario", "history". */
  file: string;
  run(inputPath: string, io: JsonCommandIo): Promise<number>;
}): ExtraCommand {
  return {
    name: spec.name,
    usage: `${spec.name} --input <file|->`,
    summary: spec.summary,
    noConfig: true,
    async run(args, io) {
      let input: string | undefined;
      try {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { input: { type: "string", short: "i" } },
        });
        input = values.input ?? positionals[0];
      } catch (error) {
        io.err(`cairn ${spec.name}: ${(error as Error).message}`);
        return 2;
      }
      if (!input) {
        io.err(`Usage: cairn ${spec.name} --input <${spec.file}.json | ->`);
        return 2;
      }
      return spec.run(input, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        readStdin: async () => readFileSync(0, "utf8"),
      });
    },
  };
}
