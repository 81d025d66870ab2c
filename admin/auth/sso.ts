/**
 * Optional single sign-on for the console through the OAuth/OIDC issuer MCP already trusts
 * (CAIRN_OAUTH_ISSUER), with the console's own client (CAIRN_OAUTH_CLIENT_ID): authorization code with PKCE
 * (S256), state and nonce kept in a short-lived sealed cookie, the ID token verified against the issuer's
 * JWKS, and its verified email mapped to an existing console user. Nobody is created by SSO.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Request, Response } from "express";
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";
import type { Config } from "../../engine/config.ts";
import type { EngineServices } from "../../engine/services.ts";

export const SSO_COOKIE = "cairn_sso";
export const SSO_CALLBACK_PATH = "/admin/api/sso/callback";
/** How long the issuer's sign-in may take. */
const FLOW_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

const Metadata = z.object({
  issuer: z.string().optional(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url().optional(),
});
type Metadata = z.infer<typeof Metadata>;

const Flow = z.object({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  expires: z.number().int(),
});

const TokenAnswer = z.object({ id_token: z.string().min(1) });

/** Why SSO refused, in words for the sign-in page. */
export class SsoRefusal extends Error {}

const random = () => randomBytes(32).toString("base64url");

export function ssoConfigured(config: Config): boolean {
  return !!(config.CAIRN_OAUTH_ISSUER && config.CAIRN_OAUTH_CLIENT_ID);
}

export class ConsoleSso {
  #metadata: Promise<Metadata> | undefined;
  #keys: JWTVerifyGetKey | undefined;

  constructor(private readonly services: EngineServices) {}

  private get config(): Config {
    return this.services.config;
  }

  /** The issuer's endpoints: OpenID discovery, else RFC 8414 metadata (what MCP's discovery reads). */
  private metadata(): Promise<Metadata> {
    const issuer = (this.config.CAIRN_OAUTH_ISSUER ?? "").replace(/\/$/, "");
    this.#metadata ??= (async () => {
      for (const path of ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]) {
        const answer = await fetch(`${issuer}${path}`, {
          signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        }).catch(() => undefined);
        if (!answer?.ok) continue;
        const parsed = Metadata.safeParse(await answer.json().catch(() => undefined));
        if (parsed.success) return parsed.data;
      }
      throw new SsoRefusal(
        `The SSO issuer ${issuer} publishes no usable discovery document (authorization and token endpoints).`,
      );
    })();
    // A failed discovery is tried again on the next sign-in rather than remembered.
    this.#metadata.catch(() => {
      this.#metadata = undefined;
    });
    return this.#metadata;
  }

  /** Starts a sign-in: the flow's secrets in a sealed cookie, the browser sent to the issuer. */
  async start(req: Request, res: Response, base: string): Promise<void> {
    const metadata = await this.metadata();
    const flow: z.infer<typeof Flow> = {
      state: random(),
      nonce: random(),
      verifier: random(),
      expires: this.services.now().getTime() + FLOW_TTL_MS,
    };
    res.cookie(SSO_COOKIE, this.services.secrets.seal(JSON.stringify(flow)), {
      httpOnly: true,
      // Lax: the cookie comes back on the issuer's top-level redirect to the callback.
      sameSite: "lax",
      secure: req.secure,
      path: "/admin/api/sso",
      maxAge: FLOW_TTL_MS,
    });
    const url = new URL(metadata.authorization_endpoint);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", String(this.config.CAIRN_OAUTH_CLIENT_ID));
    url.searchParams.set("redirect_uri", `${base}${SSO_CALLBACK_PATH}`);
    url.searchParams.set("scope", "openid email profile");
    url.searchParams.set("state", flow.state);
    url.searchParams.set("nonce", flow.nonce);
    url.searchParams.set("code_challenge", createHash("sha256").update(flow.verifier).digest("base64url"));
    url.searchParams.set("code_challenge_method", "S256");
    res.set("cache-control", "no-store").redirect(302, url.toString());
  }

  /** Finishes a sign-in: the verified email of the ID token (the caller maps it to a console user). */
  async finish(
    req: Request,
    res: Response,
    base: string,
    sealedFlow: string | undefined,
    query: { code?: string; state?: string; error?: string },
  ): Promise<{ email: string; subject: string }> {
    res.clearCookie(SSO_COOKIE, {
      httpOnly: true,
      sameSite: "lax",
      secure: req.secure,
      path: "/admin/api/sso",
    });
    const flow = this.openFlow(sealedFlow);
    if (!flow || !query.state || query.state !== flow.state)
      throw new SsoRefusal("This SSO sign-in did not start from this browser; use Sign in with SSO again.");
    if (flow.expires < this.services.now().getTime())
      throw new SsoRefusal("The SSO sign-in took longer than 10 minutes; try again.");
    if (query.error)
      throw new SsoRefusal(
        query.error === "access_denied"
          ? "The SSO sign-in was cancelled at the identity provider."
          : `The identity provider answered ${query.error.slice(0, 100)}.`,
      );
    if (!query.code) throw new SsoRefusal("The identity provider sent no authorization code back.");
    const metadata = await this.metadata();
    const clientId = String(this.config.CAIRN_OAUTH_CLIENT_ID);
    const secret = this.config.CAIRN_OAUTH_CLIENT_SECRET;
    const answer = await fetch(metadata.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: query.code,
        redirect_uri: `${base}${SSO_CALLBACK_PATH}`,
        client_id: clientId,
        code_verifier: flow.verifier,
        ...(secret ? { client_secret: secret } : {}),
      }),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const body: unknown = await answer.json().catch(() => undefined);
    const tokens = TokenAnswer.safeParse(body);
    if (!answer.ok || !tokens.success) {
      const error = (body as { error?: unknown } | undefined)?.error;
      throw new SsoRefusal(
        `The identity provider refused the sign-in (${typeof error === "string" ? error : `HTTP ${answer.status}`}).`,
      );
    }
    const issuer = metadata.issuer ?? String(this.config.CAIRN_OAUTH_ISSUER);
    this.#keys ??= createRemoteJWKSet(
      new URL(this.config.CAIRN_OAUTH_JWKS_URL ?? metadata.jwks_uri ?? `${issuer.replace(/\/$/, "")}/jwks`),
      { timeoutDuration: FETCH_TIMEOUT_MS },
    );
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(tokens.data.id_token, this.#keys, {
        issuer,
        audience: clientId,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (failure) {
      this.services.log.info({ reason: (failure as Error).message }, "console SSO: ID token rejected");
      throw new SsoRefusal(`The identity provider's ID token was rejected: ${(failure as Error).message}.`);
    }
    if (payload.nonce !== flow.nonce) throw new SsoRefusal("The ID token was not issued for this sign-in.");
    const email = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
    if (!email)
      throw new SsoRefusal("The identity provider gave no email; Cairn finds console users by email.");
    if (payload.email_verified !== true)
      throw new SsoRefusal(
        `The identity provider has not verified ${email}; Cairn signs in verified emails only.`,
      );
    return { email, subject: String(payload.sub) };
  }

  private openFlow(sealed: string | undefined): z.infer<typeof Flow> | undefined {
    if (!sealed) return undefined;
    try {
      const parsed = Flow.safeParse(JSON.parse(this.services.secrets.open(sealed)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
