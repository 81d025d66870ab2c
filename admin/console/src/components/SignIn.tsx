import { type FormEvent, useEffect, useState } from "react";
import { z } from "zod";
import { api } from "../context.tsx";
import { ApiError } from "../lib/api.ts";
import { Session } from "../lib/contract.ts";

interface Props {
  setupAvailable: boolean;
  error?: string;
  onSignedIn(session: Session): void;
}

const SsoStatus = z.object({ enabled: z.boolean() });

/** Why single sign-on sent the browser back without a session (?sso_error=...). */
function ssoError(): string | undefined {
  const params = new URLSearchParams(window.location.search);
  return params.get("sso_error") ?? undefined;
}

/** Sign-in, or on a fresh install opened from this machine, the form that creates the first owner. */
export function SignIn({ setupAvailable, error, onSignedIn }: Props) {
  const [problem, setProblem] = useState<string | undefined>(() => ssoError() ?? error);
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState(false);

  useEffect(() => {
    if (new URLSearchParams(window.location.search).has("sso_error"))
      window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);

  useEffect(() => {
    if (setupAvailable) return;
    api.request(SsoStatus, "/admin/api/sso").then(
      (status) => setSso(status.enabled),
      () => setSso(false),
    );
  }, [setupAvailable]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, string> = {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    };
    const name = String(form.get("name") ?? "").trim();
    if (setupAvailable && name) body.name = name;
    setBusy(true);
    setProblem(undefined);
    try {
      const session = await api.request(Session, setupAvailable ? "/admin/api/setup" : "/admin/api/session", {
        method: "POST",
        body,
      });
      onSignedIn(session);
    } catch (failure) {
      if (failure instanceof ApiError) {
        setProblem(failure.status === 429 ? `${failure.title}. ${failure.detail ?? ""}` : failure.message);
      } else {
        setProblem(failure instanceof Error ? failure.message : String(failure));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <h1>Cairn console</h1>
      {setupAvailable ? (
        <p>
          No owner yet. Create the first owner of this Cairn: it can add connections, people and admins.
          (Offered only from this machine; elsewhere run{" "}
          <code>cairn admin create --email you@example.com</code>.)
        </p>
      ) : (
        <p>Sign in with the email and password your Cairn owner gave you.</p>
      )}
      <form onSubmit={submit} aria-label={setupAvailable ? "Create the first owner" : "Sign in"}>
        {setupAvailable && (
          <label>
            Name
            <input name="name" autoComplete="name" />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={setupAvailable ? "new-password" : "current-password"}
            minLength={setupAvailable ? 10 : undefined}
            required
          />
        </label>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {setupAvailable ? "Create owner" : "Sign in"}
        </button>
      </form>
      {sso && (
        <p className="sso">
          <a className="button secondary" href="/admin/api/sso/start">
            Sign in with SSO
          </a>
        </p>
      )}
    </main>
  );
}
