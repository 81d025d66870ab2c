import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { BOT_FRAMEWORK_ISSUER, type FakeBotFramework, startFakeBotFramework } from "./bot-framework.ts";

describe("fake Bot Framework", () => {
  let bf: FakeBotFramework;
  before(async () => {
    bf = await startFakeBotFramework();
    bf.addMember({ id: "29:1ada", name: "Ada", email: "ada@example.com" });
  });
  after(() => bf.close());

  const token = async (secret = bf.appPassword) => {
    const response = await fetch(`${bf.settings.ToChannelFromBotLoginUrl}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: bf.appId,
        client_secret: secret,
        scope: "https://api.botframework.com/.default",
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("serves OpenID metadata whose JWKS verifies the activity tokens it signs, endorsed for msteams", async () => {
    const metadata = (await (await fetch(bf.settings.ToBotFromChannelOpenIdMetadataUrl ?? "")).json()) as {
      jwks_uri: string;
    };
    const keys = (await (await fetch(metadata.jwks_uri)).json()) as { keys: { endorsements: string[] }[] };
    deepStrictEqual(keys.keys[0]?.endorsements, ["msteams"]);
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
    const jwt = (await bf.authorization({ serviceUrl: bf.serviceUrl })).slice("Bearer ".length);
    const { payload } = await jwtVerify(jwt, jwks, { issuer: BOT_FRAMEWORK_ISSUER, audience: bf.appId });
    strictEqual(payload.serviceurl, bf.serviceUrl);
    const forged = (await bf.authorization({}, { forged: true })).slice("Bearer ".length);
    await rejects(jwtVerify(forged, jwks));
  });

  it("issues client-credentials tokens to the bot only, and the connector wants one", async () => {
    strictEqual((await token("wrong")).status, 401);
    const granted = await token();
    strictEqual(granted.status, 200);
    const bearer = String(granted.body.access_token);
    const member = await fetch(`${bf.serviceUrl}v3/conversations/a%3A1/members/29%3A1ada`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    strictEqual(((await member.json()) as { email: string }).email, "ada@example.com");
    const anonymous = await fetch(`${bf.serviceUrl}v3/conversations/a%3A1/activities`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "message", text: "hi" }),
    });
    strictEqual(anonymous.status, 401);
    bf.failNext({ status: 429, retryAfterSeconds: 2 });
    const limited = await fetch(`${bf.serviceUrl}v3/conversations/a%3A1/activities`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ type: "message", text: "hi" }),
    });
    strictEqual(limited.status, 429);
    strictEqual(limited.headers.get("retry-after"), "2");
    const posted = await fetch(`${bf.serviceUrl}v3/conversations/a%3A1/activities/act-1`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ type: "message", text: "hi" }),
    });
    strictEqual(posted.status, 201);
    const [captured] = await bf.waitForActivities(1);
    ok(captured);
    strictEqual(captured.conversationId, "a:1");
    strictEqual(captured.replyToId, "act-1");
    strictEqual(captured.activity.text, "hi");
  });
});
