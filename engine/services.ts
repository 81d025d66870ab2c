import type { ChangeFeed } from "./changes.ts";
import type { Config } from "./config.ts";
import type { Db } from "./db/port.ts";
import type { Jobs } from "./jobs/port.ts";
import type { Logger } from "./logger.ts";
import type { Embedder } from "./search/embedder.ts";
import type { RequestLimits } from "./security/rate-limiter.ts";
import type { SecretBox } from "./security/secret-box.ts";

/** What every action and job can use. Built once by bin/cairn.ts from the chosen adapters. */
export interface EngineServices {
  config: Config;
  db: Db;
  jobs: Jobs;
  embedder: Embedder;
  secrets: SecretBox;
  changes: ChangeFeed;
  log: Logger;
  /** Per-token call budget shared by every face, and the per-address budget of failed authentications. */
  limits: RequestLimits;
  now(): Date;
  /** Capabilities added by other layers at composition time (connectors, messengers). */
  extensions: Map<string, unknown>;
}
