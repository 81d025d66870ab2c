/** The shapes a module (face or worker) implements; kept apart from index.ts so modules import no cycle. */
import type { Config } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import type { Mount } from "../server.ts";

export interface StartedFace {
  mounts?: Mount[];
  /** Lines for the start banner, e.g. "MCP (HTTP):     http://127.0.0.1:3000/mcp". */
  describe?(url: string): string[];
  afterListen?(url: string | undefined): Promise<void>;
  close?(): Promise<void>;
}

export interface StartedFaces {
  mounts: Mount[];
  describe(url: string): string[];
  afterListen(url: string | undefined): Promise<void>;
  close(): Promise<void>;
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Absent for noConfig commands. */
  config?: Config;
  log?: Logger;
  /** The engine's other modules, for a command that runs the engine itself (`cairn mcp` over stdio). */
  modules?(): Promise<ModuleHooks>;
}

/** What bin/modules/index.ts offers a command, handed over by the composition root (no import cycle). */
export interface ModuleHooks {
  prepareModules(engine: Engine, config: Config, log: Logger): void;
  installWorkers(engine: Engine, config: Config, log: Logger): void;
}

export interface ExtraCommand {
  name: string;
  usage: string;
  summary: string;
  /** Runs without loading config or opening the database (pure commands such as `plan`). */
  noConfig?: boolean | ((args: string[]) => boolean);
  run(args: string[], io: CommandIo): Promise<number>;
}

export interface FaceModule {
  name: string;
  commands?: ExtraCommand[];
  /** Registers job handlers (role worker). */
  installWorkers?(engine: Engine, config: Config, log: Logger): void;
  /** Adds actions, routers and listeners (role web). Runs before the server listens. */
  installFace?(engine: Engine, config: Config, log: Logger): Promise<StartedFace>;
  /** Runs for every role before anything starts (e.g. registering engine extensions both roles need). */
  prepare?(engine: Engine, config: Config, log: Logger): void;
}
