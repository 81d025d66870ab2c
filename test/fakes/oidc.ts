/**
 * A local OpenID Connect issuer for single sign-on tests: discovery (/.well-known/openid-configuration and
 * /.well-known/oauth-authorization-server), an authorization endpoint whose user has already signed in and
 * consented (it redirects back with a code at once), a token endpoint for the authorization_code grant that
 * checks the client, the redirect URI and the PKCE verifier (S256), and the JWKS its RS256 ID tokens verify
 * against. Access tokens it issues are JWTs too, so the MCP OAuth tests can use it.
 */
import { createHash, randomBytes } from "node:crypto";
import express, { type Request, type Response } from "express";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { type FakeServerBase, listen } from "./common.ts";

export interface FakeOidcUser {
  sub: string;
  email: string;
  emailVerified?: boolean;
  name?: string;
}

export interface FakeOidcOptions {
  clientId?: string;
  /** Unset: a public client (PKCE only). */
  clientSecret?: string;
  user?: FakeOidcUser;
}

export interface FakeOidc extends FakeServerBase {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Who signs in at the authorization endpoint from now on (undefined: the user cancels, access_denied). */
  setUser(user: FakeOidcUser | undefined): void;
  /** Signs any claims with the issuer's key (iss set; aud, exp defaulted). */
  sign(claims: JWTPayload, options?: { audience?: string; expiresIn?: string }): Promise<string>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
  user: FakeOidcUser;
}

const s256 = (verifier: string): string => createHash("sha256").update(verifier).digest("base64url");

export async function startFakeOidc(options: FakeOidcOptions = {}): Promise<FakeOidc> {
  const clientId = options.clientId ?? "cairn-console";
  const clientSecret = options.clientSecret;
  let user: FakeOidcUser | undefined = options.user ?? { sub: "user-1", email: "ada@example.com" };
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "fake-oidc-1", alg: "RS256", use: "sig" };
  const codes = new Map<string, PendingCode>();
  const requests: FakeServerBase["requests"] = [];
  let issuer = "";

  const sign = (claims: JWTPayload, opts: { audience?: string; expiresIn?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuer(issuer)
      .setAudience(opts.audience ?? clientId)
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? "5m")
      .sign(privateKey);

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use((req, _res, next) => {
    const query = Object.entries(req.query).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    );
    requests.push({
      method: req.method,
      path: req.path,
      query: Object.fromEntries(query),
      headers: {},
      body: req.body as unknown,
      at: new Date(),
    });
    next();
  });

  const metadata = () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code"],
    code_challenge_methods_supported: ["S256"],
    scopes_supported: ["openid", "email", "profile"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
  });
  app.get("/.well-known/openid-configuration", (_req, res) => res.json(metadata()));
  app.get("/.well-known/oauth-authorization-server", (_req, res) => res.json(metadata()));
  app.get("/jwks", (_req, res) => res.json({ keys: [jwk] }));

  app.get("/authorize", (req: Request, res: Response) => {
    const query = (name: string) => (typeof req.query[name] === "string" ? req.query[name] : undefined);
    const redirectUri = query("redirect_uri");
    if (query("client_id") !== clientId || !redirectUri || !/^https?:\/\//.test(redirectUri)) {
      res.status(400).type("text/plain").send("invalid_request: unknown client or redirect_uri");
      return;
    }
    const back = new URL(redirectUri);
    const state = query("state");
    if (state !== undefined) back.searchParams.set("state", state);
    const challenge = query("code_challenge");
    const problem =
      query("response_type") !== "code"
        ? "unsupported_response_type"
        : !(query("scope") ?? "").split(" ").includes("openid")
          ? "invalid_scope"
          : !challenge || query("code_challenge_method") !== "S256"
            ? "invalid_request"
            : !user
              ? "access_denied"
              : undefined;
    if (problem || !challenge || !user) {
      back.searchParams.set("error", problem ?? "invalid_request");
      res.redirect(302, back.toString());
      return;
    }
    const code = randomBytes(16).toString("base64url");
    codes.set(code, { clientId, redirectUri, challenge, nonce: query("nonce"), user });
    back.searchParams.set("code", code);
    res.redirect(302, back.toString());
  });

  app.post("/token", async (req: Request, res: Response) => {
    const body = req.body as Record<string, string | undefined>;
    let id = body.client_id;
    let secret = body.client_secret;
    const basic = req.header("authorization");
    if (basic?.startsWith("Basic ")) {
      const [u, p] = Buffer.from(basic.slice(6), "base64").toString("utf8").split(":");
      id = decodeURIComponent(u ?? "");
      secret = decodeURIComponent(p ?? "");
    }
    if (id !== clientId || (clientSecret !== undefined && secret !== clientSecret)) {
      res.status(401).json({ error: "invalid_client" });
      return;
    }
    if (body.grant_type !== "authorization_code") {
      res.status(400).json({ error: "unsupported_grant_type" });
      return;
    }
    const pending = body.code ? codes.get(body.code) : undefined;
    if (body.code) codes.delete(body.code);
    if (!pending || pending.redirectUri !== body.redirect_uri) {
      res.status(400).json({ error: "invalid_grant", error_description: "unknown code or redirect_uri" });
      return;
    }
    if (!body.code_verifier || s256(body.code_verifier) !== pending.challenge) {
      res.status(400).json({ error: "invalid_grant", error_description: "PKCE verification failed" });
      return;
    }
    const claims: JWTPayload = {
      sub: pending.user.sub,
      email: pending.user.email,
      email_verified: pending.user.emailVerified ?? true,
      ...(pending.user.name ? { name: pending.user.name } : {}),
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
    };
    res.set("cache-control", "no-store").json({
      token_type: "Bearer",
      expires_in: 300,
      access_token: await sign({ sub: pending.user.sub, email: pending.user.email }),
      id_token: await sign(claims),
    });
  });

  const server = await listen(
    app,
    () => ({ status: 404, body: { error: "not_found" } }),
    () => ({ status: 400, body: { error: "invalid_request" } }),
  );
  issuer = server.url;
  return {
    url: server.url,
    issuer,
    clientId,
    clientSecret,
    requests,
    setUser(next) {
      user = next;
    },
    sign,
    close: server.close,
  };
}
