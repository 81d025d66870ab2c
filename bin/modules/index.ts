/**
 * Which faces, workers and extra commands this build of Cairn has. Composition only: each module wires
 * one folder to the engine: faces in bin/faces/ (MCP, chat), workers in bin/workers/ (sync, planning, nudges).
 */
import type { Config } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import { faceModules } from "./list.ts";
import type { ExtraCommand, StartedFace, StartedFaces } from "./types.ts";

export type { CommandIo, ExtraCommand, FaceModule, StartedFace, StartedFaces } from "./types.ts";

export function prepareModules(engine: Engine, config: Config, log: Logger): void {
  for (const module of faceModules) module.prepare?.(engine, config, log);
}

export async function installFaces(engine: Engine, config: Config, log: Logger): Promise<StartedFaces> {
  const started: StartedFace[] = [];
  for (const module of faceModules) {
    if (module.installFace)
      started.push(await module.installFace(engine, config, log.child({ face: module.name })));
  }
  return {
    mounts: started.flatMap((face) => face.mounts ?? []),
    describe: (url) => started.flatMap((face) => face.describe?.(url) ?? []),
    async afterListen(url) {
      for (const face of started) await face.afterListen?.(url);
    },
    async close() {
      for (const face of started) await face.close?.();
    },
  };
}

export function installWorkers(engine: Engine, config: Config, log: Logger): void {
  for (const module of faceModules)
    module.installWorkers?.(engine, config, log.child({ worker: module.name }));
}

export const extraCommands: ExtraCommand[] = faceModules.flatMap((module) => module.commands ?? []);
