/**
 * The console's one way to the server: the admin API (/admin/api/*) and the actions (/api/actions/:name),
 * both with the session cookie. Every state-changing request carries the session's CSRF token in
 * X-CSRF-Token; when the server refuses a stale token, the client reads the session again and retries once.
 */
import type { z } from "zod";
import { Problem, Session } from "./contract.ts";

export const CSRF_HEADER = "X-CSRF-Token";

/** A refused request, with the server's problem title and detail, or a response that broke the contract. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly problem: Problem | undefined,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = "ApiError";
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isStateChanging = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

async function problemOf(response: Response): Promise<Problem | undefined> {
  try {
    const parsed = Problem.safeParse(await response.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const isCsrfRefusal = (status: number, problem: Problem | undefined) =>
  status === 403 && problem !== undefined && /csrf/i.test(problem.title);

export interface RequestOptions {
  method?: string;
  body?: unknown;
}

export class ApiClient {
  #csrfToken: string | undefined;

  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly base = "",
  ) {}

  set csrfToken(token: string | undefined) {
    this.#csrfToken = token;
  }

  get csrfToken(): string | undefined {
    return this.#csrfToken;
  }

  async #send(path: string, options: RequestOptions): Promise<Response> {
    const method = (options.method ?? "GET").toUpperCase();
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (isStateChanging(method) && this.#csrfToken) headers[CSRF_HEADER] = this.#csrfToken;
    return this.fetchImpl(`${this.base}${path}`, {
      method,
      headers,
      credentials: "same-origin",
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  }

  /** Sends the request; on a CSRF refusal re-reads the session's token and tries once more. */
  async request<T extends z.ZodType>(
    schema: T,
    path: string,
    options: RequestOptions = {},
  ): Promise<z.infer<T>> {
    let response = await this.#send(path, options);
    if (!response.ok) {
      const problem = await problemOf(response);
      if (isCsrfRefusal(response.status, problem) && (await this.#refreshCsrf())) {
        response = await this.#send(path, options);
      } else {
        throw new ApiError(response.status, problem?.title ?? response.statusText, problem?.detail, problem);
      }
      if (!response.ok) {
        const again = await problemOf(response);
        throw new ApiError(response.status, again?.title ?? response.statusText, again?.detail, again);
      }
    }
    if (response.status === 204 || response.status === 202) return schema.parse(undefined);
    const body: unknown = await response.json();
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(
        502,
        "The server answered in an unexpected shape",
        `${path}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`,
        undefined,
      );
    }
    return parsed.data;
  }

  async #refreshCsrf(): Promise<boolean> {
    const response = await this.#send("/admin/api/session", {});
    if (!response.ok) return false;
    const session = Session.safeParse(await response.json());
    if (!session.success) return false;
    const changed = session.data.csrfToken !== this.#csrfToken;
    this.#csrfToken = session.data.csrfToken;
    return changed;
  }

  /** POST /api/actions/:name with the input; the output parsed with the schema. */
  action<T extends z.ZodType>(schema: T, name: string, input: unknown = {}): Promise<z.infer<T>> {
    return this.request(schema, `/api/actions/${encodeURIComponent(name)}`, { method: "POST", body: input });
  }
}

/** Query string from the defined, non-empty values only. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
