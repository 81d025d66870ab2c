/**
 * The transport under every connector request: a fetch built on node:http(s) whose sockets resolve host
 * names through the outbound policy's `lookup`, so the address that was checked is the address connected to
 * (Node's own fetch resolves again by itself, which DNS rebinding exploits). It never follows redirects:
 * the provider fetch (http.ts) follows them itself and checks every hop.
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import zlib from "node:zlib";
import { CairnError } from "../errors.ts";
import type { OutboundPolicy } from "./url-guard.ts";

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function decoded(response: http.IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return response;
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

function toResponse(incoming: http.IncomingMessage, url: URL, method: string): Response {
  const status = incoming.statusCode ?? 502;
  const headers = new Headers();
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    try {
      headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
    } catch {
      // A header value fetch cannot represent is dropped rather than failing the whole response.
    }
  }
  const empty = NULL_BODY_STATUSES.has(status) || method === "HEAD";
  if (empty) incoming.resume();
  const response = new Response(
    empty ? null : (Readable.toWeb(decoded(incoming)) as WebReadableStream as ReadableStream),
    { status, statusText: incoming.statusMessage ?? "", headers },
  );
  Object.defineProperty(response, "url", { value: url.toString() });
  return response;
}

export interface PinnedFetch {
  fetch: typeof fetch;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/** A fetch that connects only to addresses the policy allows, checked at connect time. */
export function createPinnedFetch(policy: OutboundPolicy): PinnedFetch {
  const agentOptions = { keepAlive: true, timeout: 60_000, lookup: policy.lookup };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  const pinned = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = policy.checkUrl(request.url, "the request");
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    headers["accept-encoding"] ??= "gzip, deflate, br";
    headers.accept ??= "*/*";
    headers["user-agent"] ??= "cairn";
    if (body) headers["content-length"] = String(body.length);
    const secure = url.protocol === "https:";
    const signal = init?.signal ?? request.signal;
    signal?.throwIfAborted();
    const send = (retryStale: boolean): Promise<Response> =>
      new Promise<Response>((resolve, reject) => {
        const outgoing = (secure ? https : http).request(
          url,
          {
            method: request.method,
            headers,
            agent: secure ? agents.https : agents.http,
            ...(signal ? { signal } : {}),
          },
          (incoming) => resolve(toResponse(incoming, url, request.method)),
        );
        outgoing.on("error", (error: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed meanwhile: the request never reached it, send it again.
          if (
            retryStale &&
            outgoing.reusedSocket &&
            (error.code === "ECONNRESET" || error.code === "EPIPE")
          ) {
            resolve(send(false));
          } else if (error.name === "AbortError" || error instanceof CairnError) reject(error);
          else reject(new TypeError(`fetch failed: ${error.message}`, { cause: error }));
        });
        outgoing.end(body);
      });
    return send(true);
  };
  return {
    fetch: pinned as typeof fetch,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
