/** engine/sync's public surface for bin/ and connectors/. */

export {
  type ConnectionRecord,
  type ConnectionStatus,
  ConnectionStatuses,
} from "../db/repositories/connections.ts";
export * from "./connector.ts";
export { canonicalUrl, DEDUPE_SIMILARITY_THRESHOLD, urlsIn } from "./dedupe.ts";
export {
  createProviderFetch,
  errorForStatus,
  type ProviderFetchOptions,
  retryAfterMs,
  TokenBucket,
} from "./http.ts";
export { OAuthTokenManager, type OAuthTokenManagerOptions, TokenSet } from "./oauth.ts";
export type { ConnectRequest, PageProgress, RunOptions, Sync, SyncJobData } from "./port.ts";
export {
  asJobError,
  createSyncService,
  DEFAULT_SYNC_INTERVAL_MINUTES,
  getSyncService,
  SYNC_QUEUE,
  type SyncServiceOptions,
  WRITEBACK_QUEUE,
} from "./service.ts";
export { addStats, emptyStats, SyncStats } from "./stats.ts";
export { assertAllowedUrl, isPrivateAddress } from "./url-guard.ts";
