/**
 * Who is calling /mcp. Two kinds of bearer token are accepted:
 * - Cairn API tokens (`cairn token create`), bound to one person in one workspace;
 * - when CAIRN_OAUTH_ISSUER is set, JWT access tokens from that authorization server, checked against its
 *   JWKS (signature, issuer, audience, expiry) and mapped to an existing person by their `email` claim in
 *   the workspace named by the `cairn_workspace` claim (or CAIRN_WORKSPACE), through the engine's identity
 *   mapping (engine/auth/identities.ts), which also links the token's subject to the person. People are
 *   never created from a JWT: an unknown email is refused.
 */
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { type Authenticated, authenticateBearer, bearerFrom } from "../engine/auth/authenticate.ts";
import { personForIdentity } from "../engine/auth/identities.ts";
import { type Config, publicUrl } from "../engine/config.ts";
import type { Db } from "../engine/db/port.ts";
import { unauthorized } from "../engine/errors.ts";
import type { Logger } from "../engine/logger.ts";

export const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource";
export const WORKSPACE_CLAIM = "cairn_workspace";
const DISCOVERY_TIMEOUT_MS = 5_000;

/** The resource identifier of the MCP endpoint (RFC 8707 / RFC 9728 `resource`). */
export const mcpResourceUrl = (config: Config): string => `${publicUrl(config)}/mcp`;

/** Where clients find the protected-resource metadata; sent in `WWW-Authenticate` on every 401. */
export const resourceMetadataUrl = (config: Config): string =>
  `${publicUrl(config)}${PROTECTED_RESOURCE_PATH}`;

/** RFC 9728 protected-resource metadata for /mcp. */
export function protectedResourceMetadata(config: Config): Record<string, unknown> {
  return {
    resource: mcpResourceUrl(config),
    ...(config.CAIRN_OAUTH_ISSUER ? { authorization_servers: [config.CAIRN_OAUTH_ISSUER] } : {}),
    bearer_methods_supported: ["header"],
    scopes_supported: ["openid", "email"],
    resource_name: "Cairn",
    resource_documentation: `${publicUrl(config)}/#mcp`,
  };
}

/** The `WWW-Authenticate` value for a 401 (RFC 6750 §3, RFC 9728 §5.1). */
export function wwwAuthenticate(config: Config, tokenGiven: boolean, description: string): string {
  const parts = [`resource_metadata="${resourceMetadataUrl(config)}"`];
  if (tokenGiven) parts.push('error="invalid_token"');
  parts.push(`error_description="${description.replace(/["\\]/g, "'")}"`);
  return `Bearer ${parts.join(", ")}`;
}

export interface McpAuthenticator {
  /** Resolves an Authorization header to a person, or throws `unauthorized` with what to do. */
  authenticate(header: string | undefined): Promise<Authenticated>;
}

const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/** Metadata URLs of an issuer, in the order RFC 8414 and OpenID Connect Discovery define them. */
function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, "");
  const origin = url.origin;
  const urls = [
    `${origin}/.well-known/oauth-authorization-server${path}`,
    `${origin}/.well-known/openid-configuration${path}`,
  ];
  if (path) urls.push(`${origin}${path}/.well-known/openid-configuration`);
  return urls;
}

async function discoverJwksUrl(issuer: string): Promise<string> {
  const problems: string[] = [];
  for (const url of discoveryUrls(issuer)) {
    try {
      const response = await fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      });
      if (!response.ok) {
        problems.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      // Boundary: only jwks_uri is read from the metadata document.
      const metadata = (await response.json()) as { jwks_uri?: unknown };
      if (typeof metadata.jwks_uri === "string") return metadata.jwks_uri;
      problems.push(`${url}: no jwks_uri`);
    } catch (error) {
      problems.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `Could not discover the JWKS of ${issuer} (set CAIRN_OAUTH_JWKS_URL): ${problems.join("; ")}`,
  );
}

export interface AuthenticatorOptions {
  db: Db;
  config: Config;
  log: Logger;
}

export function createMcpAuthenticator(options: AuthenticatorOptions): McpAuthenticator {
  const { db, config, log } = options;
  const issuer = config.CAIRN_OAUTH_ISSUER;
  const audience = config.CAIRN_OAUTH_AUDIENCE ?? mcpResourceUrl(config);
  let keys: Promise<JWTVerifyGetKey> | undefined;

  const jwks = (issuer: string): Promise<JWTVerifyGetKey> => {
    keys ??= (async () => {
      const url = config.CAIRN_OAUTH_JWKS_URL ?? (await discoverJwksUrl(issuer));
      return createRemoteJWKSet(new URL(url), { timeoutDuration: DISCOVERY_TIMEOUT_MS });
    })();
    // A failed discovery is retried on the next request rather than remembered forever.
    keys.catch(() => {
      keys = undefined;
    });
    return keys;
  };

  async function fromJwt(token: string, issuer: string): Promise<Authenticated> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await jwks(issuer), {
        issuer,
        audience,
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      log.info({ reason: (error as Error).message }, "rejected an OAuth access token");
      throw unauthorized(`The OAuth access token was rejected: ${(error as Error).message}`);
    }
    const email = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
    if (!email)
      throw unauthorized("The OAuth access token has no email claim; Cairn maps tokens to people by email.");
    if (payload.email_verified === false)
      throw unauthorized(`The email ${email} in the OAuth token is not verified.`);
    const claimed = payload[WORKSPACE_CLAIM];
    const slug = typeof claimed === "string" && claimed ? claimed : config.CAIRN_WORKSPACE;
    const tokenIssuer = payload.iss ?? issuer;
    const actor = await personForIdentity(db, slug, {
      provider: "oauth",
      tenant: tokenIssuer,
      externalId: payload.sub ?? email,
      email,
    });
    if (!actor) {
      throw unauthorized(
        `${email} is not a member of workspace "${slug}". An admin adds people with: cairn token create --workspace ${slug} --person ${email}`,
      );
    }
    return { ...actor, principal: `oauth:${tokenIssuer}#${payload.sub ?? email}` };
  }

  return {
    async authenticate(header) {
      const token = bearerFrom(header);
      if (token && issuer && looksLikeJwt(token)) return fromJwt(token, issuer);
      return authenticateBearer(db, header);
    },
  };
}
