/**
 * Shared plumbing for the fake provider servers: an express app on 127.0.0.1:0, request recording,
 * one-shot fault injection (429 + Retry-After, 5xx, 401...), a seeded PRNG, opaque cursor tokens,
 * webhook delivery, and a fault-injecting proxy for real servers. Nothing here knows about a particular provider.
 */
import { createHmac } from "node:crypto";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Express, NextFunction, Request, Response } from "express";
import express from "express";

/** One request as the fake received it (after body parsing). */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/data_sources/abc/query`. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  body: unknown;
  /** Status the fake answered with (filled in when the response finishes). */
  status?: number;
  at: Date;
}

/** A canned failure answered instead of the real handler. */
export interface Fault {
  status: number;
  /** Sent as the `Retry-After` header (seconds) when set. */
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  /** JSON body; each fake fills in its provider's error shape when omitted. */
  body?: unknown;
  /** Only requests whose `METHOD /path` matches are affected (all requests when omitted). */
  match?: RegExp;
}

/** Options for `failNext`. */
export interface FailNextOptions {
  /** How many matching requests fail (default 1). */
  count?: number;
  /** HTTP status (default 429). */
  status?: number;
  /** Retry-After seconds for 429/503 (default 1 for 429, none otherwise). */
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Restrict to requests whose `METHOD /path` matches, e.g. `/POST \/v1\/data_sources/`. */
  match?: RegExp;
}

/** FIFO of one-shot faults; a matching request consumes the first fault that matches it. */
export class FaultQueue {
  private readonly faults: Fault[] = [];

  push(options: FailNextOptions = {}): void {
    const status = options.status ?? 429;
    const count = options.count ?? 1;
    const retryAfterSeconds = options.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    for (let i = 0; i < count; i++) {
      const fault: Fault = { status };
      if (retryAfterSeconds !== undefined) fault.retryAfterSeconds = retryAfterSeconds;
      if (options.headers) fault.headers = options.headers;
      if (options.body !== undefined) fault.body = options.body;
      if (options.match) fault.match = options.match;
      this.faults.push(fault);
    }
  }

  take(method: string, path: string): Fault | undefined {
    const line = `${method.toUpperCase()} ${path}`;
    const index = this.faults.findIndex((fault) => !fault.match || fault.match.test(line));
    if (index < 0) return undefined;
    const [fault] = this.faults.splice(index, 1);
    return fault;
  }

  get pending(): number {
    return this.faults.length;
  }

  clear(): void {
    this.faults.length = 0;
  }
}

export interface FakeServerBase {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:53012`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeAppOptions {
  /** Record every request in `requests` (default true; turn off for large benchmarks). */
  recordRequests?: boolean;
  /** Builds the provider's error body for an injected fault without an explicit body. */
  faultBody: (fault: Fault) => unknown;
  /** Extra headers for an injected fault (e.g. Jira's X-RateLimit-*). */
  faultHeaders?: (fault: Fault) => Record<string, string>;
  /** Requests not subject to faults (e.g. an OAuth token endpoint). */
  exemptFromFaults?: (req: Request) => boolean;
}

export interface FakeApp {
  app: Express;
  requests: RecordedRequest[];
  faults: FaultQueue;
}

function flattenHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function flattenQuery(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const url = new URL(req.originalUrl, "http://fake.local");
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? (all[0] ?? "") : all;
  }
  return out;
}

/**
 * An express app with JSON/urlencoded body parsing, request recording and fault injection wired in.
 * Routes are added by the caller; call `listen` afterwards.
 */
export function createFakeApp(options: FakeAppOptions): FakeApp {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "extended");
  const requests: RecordedRequest[] = [];
  const faults = new FaultQueue();
  app.use(express.json({ limit: "10mb", type: ["application/json", "application/*+json"] }));
  app.use(express.urlencoded({ extended: false }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (options.recordRequests !== false) {
      const record: RecordedRequest = {
        method: req.method,
        path: req.path,
        query: flattenQuery(req),
        headers: flattenHeaders(req),
        body: req.body,
        at: new Date(),
      };
      requests.push(record);
      res.on("finish", () => {
        record.status = res.statusCode;
      });
    }
    if (options.exemptFromFaults?.(req)) {
      next();
      return;
    }
    const fault = faults.take(req.method, req.path);
    if (!fault) {
      next();
      return;
    }
    const headers: Record<string, string> = { ...options.faultHeaders?.(fault), ...fault.headers };
    if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
    res
      .status(fault.status)
      .set(headers)
      .json(fault.body ?? options.faultBody(fault));
  });
  return { app, requests, faults };
}

/** Adds a JSON 404 and error handler, starts listening on 127.0.0.1 with a random port. */
export async function listen(
  app: Express,
  notFound: (req: Request) => { status: number; body: unknown },
  internalError: (error: unknown) => { status: number; body: unknown },
): Promise<{ url: string; close(): Promise<void> }> {
  app.use((req: Request, res: Response) => {
    const answer = notFound(req);
    res.status(answer.status).json(answer.body);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === "object" && error !== null && "status" in error && typeof error.status === "number"
        ? error.status
        : 500;
    if (status === 400 && typeof error === "object" && error !== null && "type" in error) {
      // body-parser rejected the JSON: answer like the provider does for a malformed body.
      const answer = internalError(error);
      res.status(400).json(answer.body);
      return;
    }
    const answer = internalError(error);
    res.status(answer.status).json(answer.body);
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, "127.0.0.1", (error?: Error) => {
      if (error) reject(error);
      else resolve(s);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Deterministic PRNG so seeded data is the same on every run. */
export { createRandom as seededRandom } from "../../models/random.ts";

/** A UUID v4-shaped id drawn from `random`. */
export function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick() from an empty list");
  return item;
}

/** Opaque cursor tokens: base64url JSON, so a client can't do arithmetic on them. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** `sha256=<hex HMAC-SHA256(body, key)>`, the signature format shared by Notion and Jira webhooks. */
export function hmacSha256Signature(body: string, key: string): string {
  return `sha256=${createHmac("sha256", key).update(body, "utf8").digest("hex")}`;
}

/** POSTs a raw body to a URL with the given headers; resolves to the status and text of the answer. */
export async function postRaw(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: "POST", body, headers });
  return { status: response.status, text: await response.text() };
}

/** A monotonic clock: never returns the same or an earlier instant twice (ms resolution). */
export function monotonicClock(now: () => Date): () => Date {
  let last = 0;
  return () => {
    const t = Math.max(now().getTime(), last + 1);
    last = t;
    return new Date(t);
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A reverse proxy that answers injected faults instead of forwarding (for real servers that cannot fail on cue). */
export interface FaultProxy {
  /** The proxy's base URL without trailing slash; use it in place of the target's. */
  url: string;
  faults: FaultQueue;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` (method, path, headers including Host, body) and streams the answer back,
 * unless a queued fault matches: then it answers the fault (status, Retry-After, headers, a plain-text body).
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults = new FaultQueue();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://proxy.local").pathname;
    const fault = faults.take(req.method ?? "GET", path);
    if (fault) {
      req.resume();
      const headers: Record<string, string> = { "Content-Type": "text/plain", ...fault.headers };
      if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
      res
        .writeHead(fault.status, headers)
        .end(typeof fault.body === "string" ? fault.body : "injected fault");
      return;
    }
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
