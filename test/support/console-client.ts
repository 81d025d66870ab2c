/** A browser's view of the console API for tests: keeps the session cookie and sends the CSRF token. */
import assert from "node:assert/strict";

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export class ConsoleClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly url: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.cookie) headers.cookie = `cairn_session=${this.cookie}`;
    if (this.csrf && options.csrf !== false && method !== "GET") headers["x-csrf-token"] = this.csrf;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
    });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("cairn_session="));
    if (setCookie) {
      const value = setCookie.slice("cairn_session=".length).split(";")[0] ?? "";
      this.cookie = value === "" ? undefined : value;
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as T) : ({} as T);
    const csrf = (parsed as { csrfToken?: unknown }).csrfToken;
    if (typeof csrf === "string") this.csrf = csrf;
    return { status: response.status, body: parsed, headers: response.headers };
  }

  async signIn(email: string, password: string): Promise<Answer> {
    const answer = await this.request("POST", "/admin/api/session", { email, password });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer;
  }
}
