/**
 * The fetch every connector gets: outbound URL guard, a per-provider rate limit per connection (token bucket),
 * and retries of 429 and 5xx with exponential backoff that honour Retry-After. It counts the requests it
 * makes so sync stats report real API calls.
 */
import type { ConnectorKind } from "./connector.ts";
import { CredentialRejectedError, RateLimitedError, TransientProviderError } from "./connector.ts";

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once before the rate applies. */
  burst: number;
}

/**
 * Documented provider limits. Notion: an average of 3 requests/s per integration; Google Calendar: 600
 * requests/min per user; Jira Cloud: burst-based (it answers 429 with Retry-After), so a generous bucket.
 */
export const providerLimits: Record<ConnectorKind, RateLimit> = {
  notion: { perSecond: 3, burst: 6 },
  google: { perSecond: 10, burst: 20 },
  jira: { perSecond: 20, burst: 40 },
  caldav: { perSecond: 10, burst: 20 },
  ics: { perSecond: 2, burst: 4 },
};

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A token bucket that waits (instead of refusing) until a request may go. */
export class TokenBucket {
  #tokens: number;
  #updated: number;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = limit.burst;
    this.#updated = now();
  }

  /** Resolves when one request may be made. Requests are served in order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      for (;;) {
        const now = this.now();
        this.#tokens = Math.min(
          this.limit.burst,
          this.#tokens + ((now - this.#updated) / 1000) * this.limit.perSecond,
        );
        this.#updated = now;
        if (this.#tokens >= 1) {
          this.#tokens -= 1;
          return;
        }
        await sleep(Math.ceil(((1 - this.#tokens) / this.limit.perSecond) * 1000), signal);
      }
    });
    this.#queue = turn.catch(() => {});
    return turn;
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. Undefined when absent or unparseable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface ProviderFetchOptions {
  kind: ConnectorKind;
  /** The rate limit (shared by every fetch of one connection: pass the same bucket). */
  bucket?: TokenBucket;
  /** Checks each outbound URL; throws to refuse. */
  guard?: (url: string) => Promise<void>;
  /** Retries after the first try for 429/5xx/network errors. Default 4. */
  maxRetries?: number;
  /** Base backoff when the provider gives no Retry-After. Default 500 ms. */
  backoffMs?: number;
  /** A Retry-After longer than this is not waited for here: the response is returned (the job retries later). Default 60 s. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Called once per HTTP request actually sent. */
  onRequest?: (info: { url: string; method: string; status?: number; attempt: number }) => void;
  fetch?: typeof fetch;
  random?: () => number;
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.toString();
  return input.url;
}

function requestMethod(input: Parameters<typeof fetch>[0], init?: RequestInit): string {
  if (init?.method) return init.method.toUpperCase();
  if (typeof input === "object" && !(input instanceof URL)) return input.method.toUpperCase();
  return "GET";
}

const retriable = (status: number) => status === 429 || (status >= 500 && status !== 501);

/**
 * A fetch for connectors: rate-limited, URL-guarded, retrying. After the last retry it returns the failing
 * response as is (the connector translates it with `errorForResponse`).
 */
export function createProviderFetch(options: ProviderFetchOptions): typeof fetch {
  const maxRetries = options.maxRetries ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const base = options.fetch ?? globalThis.fetch;
  const random = options.random ?? Math.random;
  const wrapped = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = requestUrl(input);
    const method = requestMethod(input, init);
    await options.guard?.(url);
    // A Request body can be read once: keep the original to clone per try.
    const template = typeof input === "object" && !(input instanceof URL) ? input : undefined;
    for (let attempt = 1; ; attempt++) {
      await options.bucket?.take(options.signal ?? init?.signal ?? undefined);
      let response: Response;
      try {
        const actual = template ? template.clone() : input;
        response = await base(actual, init);
      } catch (error) {
        options.onRequest?.({ url, method, attempt });
        if ((error as Error).name === "AbortError" || attempt > maxRetries) {
          throw new TransientProviderError(`${options.kind}: request failed: ${(error as Error).message}`);
        }
        await sleep(backoffMs * 2 ** (attempt - 1) * (1 + random() * 0.25), options.signal);
        continue;
      }
      options.onRequest?.({ url, method, status: response.status, attempt });
      if (!retriable(response.status) || attempt > maxRetries) return response;
      const told = retryAfterMs(response.headers.get("retry-after"));
      if (told !== undefined && told > maxWaitMs) return response;
      const wait = told ?? backoffMs * 2 ** (attempt - 1) * (1 + random() * 0.25);
      await response.body?.cancel().catch(() => {});
      await sleep(wait, options.signal);
    }
  };
  return wrapped as typeof fetch;
}

/**
 * Translates an HTTP failure into the engine's provider errors: 401 → credential rejected,
 * 429 → rate limited (with Retry-After), 5xx → transient; anything else → a plain Error with the message.
 */
export function errorForStatus(kind: string, status: number, message: string, retryAfter?: number): Error {
  if (status === 401)
    return new CredentialRejectedError(`${kind} rejected the credentials (HTTP 401): ${message}`);
  if (status === 429) return new RateLimitedError(`${kind} rate limit: ${message}`, retryAfter ?? 30_000);
  if (status >= 500)
    return new TransientProviderError(`${kind} is unavailable (HTTP ${status}): ${message}`, retryAfter);
  return new Error(`${kind} answered HTTP ${status}: ${message}`);
}
