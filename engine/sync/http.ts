/**
 * The fetch every connector gets: outbound URL guard on every redirect hop, the provider's rate limit (its
 * definition's `limits`) per connection (token bucket), and retries of 429 and 5xx with exponential backoff that honour Retry-After.
 * It counts the requests it makes so sync stats report real API calls.
 */
import { CairnError } from "../errors.ts";
import {
  type ConnectorKind,
  CredentialRejectedError,
  type RateLimit,
  RateLimitedError,
  TransientProviderError,
} from "./connector.ts";

export type { RateLimit } from "./connector.ts";

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
  /** Checks each outbound URL, the first and every redirect hop; throws to refuse. */
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

const retriable = (status: number) => status === 429 || (status >= 500 && status !== 501);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Redirects followed for one request before giving up (browsers stop at 20; APIs need one or two). */
export const MAX_REDIRECTS = 10;
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

interface OutboundRequest {
  url: string;
  method: string;
  headers: Headers;
  /** Buffered so that retries and 307/308 redirects can send it again. */
  body: ArrayBuffer | undefined;
  signal: AbortSignal | undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** One normal form of fetch's (input, init) pair, its body read once. */
async function normalize(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<OutboundRequest> {
  // fetch refuses URLs with user:password@ (and its error would show them): send them as Basic auth instead.
  // (A Request object cannot carry them: its constructor refuses them.)
  let basicAuth: string | undefined;
  if (typeof input === "string" || input instanceof URL) {
    const target = new URL(input.toString());
    if (target.username || target.password) {
      const user = safeDecode(target.username);
      const password = safeDecode(target.password);
      basicAuth = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      target.username = "";
      target.password = "";
      input = target.toString();
    }
  }
  const request = new Request(input, init);
  const body = request.body ? await request.arrayBuffer() : undefined;
  const headers = new Headers(request.headers);
  if (basicAuth && !headers.has("authorization")) headers.set("authorization", basicAuth);
  return {
    url: request.url,
    method: request.method.toUpperCase(),
    headers,
    body,
    signal: init?.signal ?? (typeof input === "object" && !(input instanceof URL) ? input.signal : undefined),
  };
}

/** The request a redirect asks for (fetch's rules), or undefined when the response is not a redirect. */
function redirected(from: OutboundRequest, response: Response): OutboundRequest | undefined {
  const location = response.headers.get("location");
  if (!REDIRECT_STATUSES.has(response.status) || !location) return undefined;
  const next = new URL(location, from.url);
  const headers = new Headers(from.headers);
  let { method, body } = from;
  if (
    (response.status === 303 && method !== "HEAD") ||
    ((response.status === 301 || response.status === 302) && method === "POST")
  ) {
    method = "GET";
    body = undefined;
    for (const name of ["content-type", "content-length", "content-encoding", "content-language"])
      headers.delete(name);
  }
  if (next.origin !== new URL(from.url).origin) for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  return { url: next.toString(), method, headers, body, signal: from.signal };
}

/** Refusals of the outbound policy are final: neither retried nor followed. */
const isRefusal = (error: unknown) => error instanceof CairnError;

/**
 * A fetch for connectors: rate-limited, URL-guarded, retrying. It follows redirects itself and checks every
 * hop with the guard before connecting to it. After the last retry it returns the failing response as is
 * (the connector translates it with `errorForResponse`).
 */
export function createProviderFetch(options: ProviderFetchOptions): typeof fetch {
  const maxRetries = options.maxRetries ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const base = options.fetch ?? globalThis.fetch;
  const random = options.random ?? Math.random;

  const sendWithRetries = async (request: OutboundRequest): Promise<Response> => {
    const { url, method } = request;
    for (let attempt = 1; ; attempt++) {
      await options.bucket?.take(options.signal ?? request.signal);
      let response: Response;
      try {
        response = await base(url, {
          method,
          headers: request.headers,
          redirect: "manual",
          ...(request.body !== undefined ? { body: request.body } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } catch (error) {
        options.onRequest?.({ url, method, attempt });
        if (isRefusal(error)) throw error;
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

  const wrapped = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    let request = await normalize(input, init);
    const manual = init?.redirect === "manual" || init?.redirect === "error";
    for (let hops = 0; ; hops++) {
      await options.guard?.(request.url);
      const response = await sendWithRetries(request);
      const next = redirected(request, response);
      if (!next) return response;
      if (manual) {
        if (init?.redirect === "manual") return response;
        await response.body?.cancel().catch(() => {});
        throw new TransientProviderError(
          `${options.kind}: the provider redirected a request that forbids it`,
        );
      }
      await response.body?.cancel().catch(() => {});
      if (hops >= MAX_REDIRECTS) {
        throw new Error(`${options.kind}: more than ${MAX_REDIRECTS} redirects; check the connection's URL`);
      }
      request = next;
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
