/**
 * The pure JSON commands (`cairn plan`, `cairn insights`): read a file or stdin, parse JSON, compute, print the
 * result as JSON. Exit codes: 0 printed, 2 unreadable or invalid input (message on stderr), 1 unexpected failure.
 */
import { readFile } from "node:fs/promises";

export interface JsonCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin?: () => Promise<string>;
}

export interface JsonCommand {
  /** As the messages name it: "cairn plan". */
  name: string;
  compute(raw: unknown): unknown;
  /** An error that means the input is wrong (exit 2), with a message naming the item. */
  isInputError(error: unknown): boolean;
}

export async function runJsonFileCommand(
  command: JsonCommand,
  inputPath: string,
  io: JsonCommandIo,
): Promise<number> {
  let text: string;
  try {
    if (inputPath === "-") {
      if (!io.readStdin) throw new Error("reading from stdin is not available here");
      text = await io.readStdin();
    } else {
      text = await readFile(inputPath, "utf8");
    }
  } catch (error) {
    io.stderr(
      `${command.name}: cannot read ${inputPath === "-" ? "stdin" : inputPath}: ${(error as Error).message}\n`,
    );
    return 2;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    io.stderr(`${command.name}: input is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    io.stdout(`${JSON.stringify(command.compute(raw), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (command.isInputError(error)) {
      io.stderr(`${command.name}: invalid input: ${(error as Error).message}\n`);
      return 2;
    }
    io.stderr(`${command.name}: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
