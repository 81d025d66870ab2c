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
export { emptyStats, type PageProgress, type RunOptions, type SyncStats } from "./runner.ts";
export {
  asJobError,
  type ConnectRequest,
  createSyncService,
  DEFAULT_SYNC_INTERVAL_MINUTES,
  getSyncService,
  SYNC_EXTENSION,
  SYNC_QUEUE,
  type SyncJobData,
  type SyncService,
  type SyncServiceOptions,
  WRITEBACK_QUEUE,
} from "./service.ts";
export { assertAllowedUrl, isPrivateAddress } from "./url-guard.ts";
