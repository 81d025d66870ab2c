import type { ChangeFeed } from "./changes.ts";
import type { Config } from "./config.ts";
import type { Db } from "./db/port.ts";
import type { Jobs } from "./jobs/port.ts";
import type { LlmPort } from "./llm/port.ts";
import type { Logger } from "./logger.ts";
import type { Messenger } from "./messaging/messenger.ts";
import type { CalendarWriter } from "./scheduling/service/calendar-writer.ts";
import type { Embedder } from "./search/embedder.ts";
import type { RequestLimits } from "./security/rate-limiter.ts";
import type { SecretBox } from "./security/secret-box.ts";
import type { Sync } from "./sync/port.ts";

export interface ReplanSettings {
  /** How long replanning waits for more changes before it runs (tests shorten or lengthen it). */
  delayMs: number;
}

/**
 * What every action and job can use. Built once by bin/cairn.ts from the chosen adapters; the services that
 * other layers provide (sync over the connectors, calendar write-back, chat messages) are set by bin/ at
 * composition time, before anything runs.
 */
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
  /** Connections and sync runs over the registered connectors; absent until bin/ wires them (read it with getSyncService). */
  sync?: Sync;
  /** Writes each stored plan's blocks to the person's calendar; absent when no calendar can take them. */
  calendarWriter?: CalendarWriter;
  /** Outgoing chat messages; a silent messenger until a chat face is wired. */
  messenger: Messenger;
  replan: ReplanSettings;
  /** The configured language model (CAIRN_LLM_*); absent without one. Set by bin/ at composition time. */
  llm?: LlmPort;
}
