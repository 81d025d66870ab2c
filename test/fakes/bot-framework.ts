/**
 * A local Bot Framework for the Teams surface, speaking the documented shapes:
 * - the channel's OpenID metadata (`/v1/.well-known/openidconfiguration`) and JWKS (`/v1/.well-known/keys`,
 *   keys endorsed for `msteams`), with a local RSA key that signs activity JWTs the way the Bot Connector does
 *   (iss https://api.botframework.com, aud = the bot's app id, serviceurl, nbf/exp, RS256, kid);
 * - an AAD v2 token endpoint (`/botframework.com/oauth2/v2.0/token`, client credentials) for the bot's calls;
 * - a Bot Connector under `/teams/` (the activity's serviceUrl): `POST /v3/conversations/:id/activities[/:replyTo]`
 *   captured (bearer token required), `GET /v3/conversations/:id/members[/:userId]` for TeamsInfo.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createFakeApp, type FailNextOptions, type FakeServerBase, isRecord, listen } from "./common.ts";

export const BOT_FRAMEWORK_ISSUER = "https://api.botframework.com";

export interface TeamsMember {
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
  userPrincipalName?: string;
  tenantId: string;
}

export interface CapturedActivity {
  conversationId: string;
  replyToId?: string;
  token: string;
  activity: Record<string, unknown>;
}

export interface SignOptions {
  /** Default: the bot's app id. */
  audience?: string;
  /** Seconds from now; negative for an expired token (default 3600). */
  expiresIn?: number;
  /** Sign with a key the JWKS does not publish, under the published kid. */
  forged?: boolean;
  issuer?: string;
}

export interface FakeBotFramework extends FakeServerBase {
  appId: string;
  appPassword: string;
  tenantId: string;
  /** The serviceUrl to put on activities (ends with a slash, like Teams'). */
  serviceUrl: string;
  /** The settings botbuilder reads, pointed at this fake. */
  settings: Record<string, string>;
  members: Map<string, TeamsMember>;
  activities: CapturedActivity[];
  tokensIssued: number;
  addMember(member: Partial<TeamsMember> & { id: string }): TeamsMember;
  /** `Bearer <jwt>` for an activity, as the Bot Connector service sends it. */
  authorization(activity: { serviceUrl?: string }, options?: SignOptions): Promise<string>;
  failNext(options?: FailNextOptions): void;
  /** Resolves when `count` activities have been posted to the connector (tests wait on this, never on a sleep). */
  waitForActivities(count: number, timeoutMs?: number): Promise<CapturedActivity[]>;
  /** Calls `listener` for every activity posted from now on (benchmarks time replies with it). */
  onActivity(listener: (activity: CapturedActivity) => void): () => void;
}

export async function startFakeBotFramework(
  options: { appId?: string; appPassword?: string; tenantId?: string } = {},
): Promise<FakeBotFramework> {
  const appId = options.appId ?? randomUUID();
  const appPassword = options.appPassword ?? randomBytes(16).toString("hex");
  const tenantId = options.tenantId ?? randomUUID();
  const kid = `fake-${randomBytes(6).toString("hex")}`;
  const signing = await generateKeyPair("RS256", { extractable: true });
  const forger = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid, use: "sig", endorsements: ["msteams"] };
  const issuedTokens = new Set<string>();
  const members = new Map<string, TeamsMember>();
  const activities: CapturedActivity[] = [];
  const waiters: { count: number; resolve: (a: CapturedActivity[]) => void }[] = [];
  const listeners = new Set<(activity: CapturedActivity) => void>();
  let base = "";

  const { app, requests, faults } = createFakeApp({
    faultBody: (fault) => ({
      error: { code: fault.status === 429 ? "Throttled" : "ServiceError", message: "fault" },
    }),
    exemptFromFaults: (req) => !req.path.startsWith("/teams/"),
  });

  app.get("/v1/.well-known/openidconfiguration", (_req, res) => {
    res.json({
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: `${base}/v1/authorize`,
      jwks_uri: `${base}/v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["private_key_jwt"],
    });
  });
  app.get("/v1/.well-known/keys", (_req, res) => {
    res.json({ keys: [publicJwk] });
  });

  app.post("/:tenant/oauth2/v2.0/token", (req: Request, res: Response) => {
    const body = isRecord(req.body) ? req.body : {};
    if (
      body.grant_type !== "client_credentials" ||
      body.client_id !== appId ||
      body.client_secret !== appPassword
    ) {
      res
        .status(401)
        .json({ error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret." });
      return;
    }
    const token = `fake-access-${randomBytes(12).toString("hex")}`;
    issuedTokens.add(token);
    fake.tokensIssued++;
    res.json({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600, access_token: token });
  });

  const authorized = (req: Request, res: Response): string | undefined => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token || !issuedTokens.has(token)) {
      res.status(401).json({ message: "Authorization has been denied for this request." });
      return undefined;
    }
    return token;
  };

  const capture = (req: Request, res: Response) => {
    const token = authorized(req, res);
    if (!token) return;
    const captured: CapturedActivity = {
      conversationId: String(req.params.conversationId),
      token,
      activity: isRecord(req.body) ? req.body : {},
    };
    if (req.params.activityId) captured.replyToId = String(req.params.activityId);
    activities.push(captured);
    for (const listener of listeners) listener(captured);
    res.status(201).json({ id: `1:${randomBytes(8).toString("hex")}` });
    for (const waiter of waiters.slice()) {
      if (activities.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(activities.slice());
      }
    }
  };
  app.post("/teams/v3/conversations/:conversationId/activities", capture);
  app.post("/teams/v3/conversations/:conversationId/activities/:activityId", capture);

  const memberJson = (m: TeamsMember) => ({
    id: m.id,
    name: m.name,
    aadObjectId: m.aadObjectId,
    email: m.email,
    userPrincipalName: m.userPrincipalName ?? m.email,
    tenantId: m.tenantId,
    userRole: "user",
  });
  app.get("/teams/v3/conversations/:conversationId/members/:userId", (req, res) => {
    if (!authorized(req, res)) return;
    const member = members.get(String(req.params.userId));
    if (!member) {
      res.status(404).json({ error: { code: "MemberNotFoundInConversation", message: "Member not found" } });
      return;
    }
    res.json(memberJson(member));
  });
  app.get("/teams/v3/conversations/:conversationId/members", (req, res) => {
    if (!authorized(req, res)) return;
    res.json([...members.values()].map(memberJson));
  });

  const server = await listen(
    app,
    () => ({ status: 404, body: { error: { code: "NotFound", message: "Not found" } } }),
    (error) => ({ status: 500, body: { error: { code: "ServiceError", message: String(error) } } }),
  );
  base = server.url;

  const fake: FakeBotFramework = {
    url: server.url,
    requests,
    appId,
    appPassword,
    tenantId,
    serviceUrl: `${server.url}/teams/`,
    settings: {
      MicrosoftAppId: appId,
      MicrosoftAppPassword: appPassword,
      MicrosoftAppType: "MultiTenant",
      ToBotFromChannelOpenIdMetadataUrl: `${server.url}/v1/.well-known/openidconfiguration`,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
      ToBotFromEmulatorOpenIdMetadataUrl: `${server.url}/v1/.well-known/openidconfiguration`,
      ToChannelFromBotLoginUrl: `${server.url}/botframework.com`,
      ToChannelFromBotOAuthScope: "https://api.botframework.com",
    },
    members,
    activities,
    tokensIssued: 0,
    addMember(partial) {
      const member: TeamsMember = {
        name: "Teams User",
        aadObjectId: randomUUID(),
        tenantId,
        ...partial,
      };
      members.set(member.id, member);
      return member;
    },
    async authorization(activity, sign = {}) {
      const now = Math.floor(Date.now() / 1000);
      const expiresIn = sign.expiresIn ?? 3600;
      const jwt = await new SignJWT({ serviceurl: activity.serviceUrl ?? fake.serviceUrl })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(sign.issuer ?? BOT_FRAMEWORK_ISSUER)
        .setAudience(sign.audience ?? appId)
        .setNotBefore(Math.min(now, now + expiresIn) - 600)
        .setIssuedAt(Math.min(now, now + expiresIn) - 600)
        .setExpirationTime(now + expiresIn)
        .sign(sign.forged ? forger.privateKey : signing.privateKey);
      return `Bearer ${jwt}`;
    },
    failNext(failure) {
      faults.push({ ...failure, match: failure?.match ?? /^POST \/teams\// });
    },
    waitForActivities(count, timeoutMs = 10_000) {
      if (activities.length >= count) return Promise.resolve(activities.slice());
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: (a: CapturedActivity[]) => {
            clearTimeout(timer);
            resolve(a);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`expected ${count} Bot Connector activities, saw ${activities.length}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    onActivity(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: server.close,
  };
  return fake;
}
