/**
 * External identities → people, on every backend: the chat-identities repository (link, find, list,
 * unlink, kept apart by workspace with row-level security) and the engine's mapping that every face calls
 * (an email the provider vouches for decides and links the account; without one, the link decides), plus
 * MCP's OAuth tokens going through that mapping.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { personForIdentity } from "../../engine/auth/identities.ts";
import { migrate } from "../../engine/db/migrate.ts";
import type { Db } from "../../engine/db/port.ts";
import {
  type ExternalAccount,
  findChatIdentity,
  linkChatIdentity,
  listChatIdentities,
  unlinkChatIdentity,
} from "../../engine/db/repositories/chat-identities.ts";
import { ensurePerson, ensureWorkspace } from "../../engine/db/repositories/workspaces.ts";
import type { Person, Workspace } from "../../engine/domain.ts";
import { mcpResourceUrl } from "../../mcp-server/auth.ts";
import { backends, freshDb, startTestCairn, type TestCairn, type TestDb } from "../support/harness.ts";

const slackAda: ExternalAccount = { provider: "slack", tenant: "T0ACME", externalId: "U0ADA" };
const teamsAda: ExternalAccount = { provider: "teams", tenant: "tenant-acme", externalId: "aad-ada" };

for (const backend of backends()) {
  describe(`chat identities (${backend.name})`, { skip: backend.skip }, () => {
    let test: TestDb;
    let db: Db;
    let acme: Workspace;
    let globex: Workspace;
    let ada: Person;
    let bob: Person;
    let eve: Person;

    before(async () => {
      test = await freshDb(backend.db);
      db = test.db;
      await migrate(db);
      [acme, globex] = await db.system(async (tx) => [
        await ensureWorkspace(tx, "acme"),
        await ensureWorkspace(tx, "globex"),
      ]);
      [ada, bob] = await db.scoped(acme.id, async (tx) => [
        await ensurePerson(tx, acme.id, { email: "ada@acme.test" }),
        await ensurePerson(tx, acme.id, { email: "bob@acme.test" }),
      ]);
      eve = await db.scoped(globex.id, (tx) => ensurePerson(tx, globex.id, { email: "eve@globex.test" }));
    });
    after(async () => test?.drop());

    it("links, finds, lists and unlinks an account in a workspace-scoped transaction", async () => {
      // People of this test's own: the other tests link accounts to acme's Ada and Bob, which these lists would show.
      const [ada, bob] = await db.scoped(acme.id, async (tx) => [
        await ensurePerson(tx, acme.id, { email: "ada.lists@acme.test" }),
        await ensurePerson(tx, acme.id, { email: "bob.lists@acme.test" }),
      ]);
      const linked = await db.scoped(acme.id, (tx) => linkChatIdentity(tx, acme.id, slackAda, ada.id));
      assert.deepEqual(
        { ...linked, id: undefined, createdAt: undefined },
        { ...slackAda, workspaceId: acme.id, personId: ada.id, id: undefined, createdAt: undefined },
      );
      await db.scoped(acme.id, (tx) => linkChatIdentity(tx, acme.id, teamsAda, ada.id));

      const found = await db.scoped(acme.id, (tx) => findChatIdentity(tx, acme.id, slackAda));
      assert.equal(found?.id, linked.id);
      assert.equal(
        await db.scoped(acme.id, (tx) => findChatIdentity(tx, acme.id, { ...slackAda, tenant: "T0OTHER" })),
        undefined,
        "the tenant is part of the account",
      );

      const adas = await db.scoped(acme.id, (tx) => listChatIdentities(tx, acme.id, { personId: ada.id }));
      assert.deepEqual(adas.map((identity) => identity.provider).sort(), ["slack", "teams"]);
      assert.deepEqual(
        await db.scoped(acme.id, (tx) => listChatIdentities(tx, acme.id, { personId: bob.id })),
        [],
      );

      assert.equal(await db.scoped(acme.id, (tx) => unlinkChatIdentity(tx, acme.id, teamsAda)), true);
      assert.equal(await db.scoped(acme.id, (tx) => unlinkChatIdentity(tx, acme.id, teamsAda)), false);
      const left = await db.scoped(acme.id, (tx) => listChatIdentities(tx, acme.id, { personId: ada.id }));
      assert.deepEqual(
        left.map((identity) => identity.externalId),
        ["U0ADA"],
      );
    });

    it("moves an account linked again to another person, keeping one row", async () => {
      const account: ExternalAccount = { provider: "slack", tenant: "T0ACME", externalId: "U0MOVE" };
      const first = await db.scoped(acme.id, (tx) => linkChatIdentity(tx, acme.id, account, ada.id));
      const moved = await db.scoped(acme.id, (tx) => linkChatIdentity(tx, acme.id, account, bob.id));
      assert.equal(moved.id, first.id);
      assert.equal(moved.personId, bob.id);
      await db.scoped(acme.id, (tx) => unlinkChatIdentity(tx, acme.id, account));
    });

    it("keeps workspaces apart: another workspace's scope neither sees nor writes acme's links", async () => {
      const account: ExternalAccount = { provider: "slack", tenant: "T0SHARED", externalId: "U0SAME" };
      await db.scoped(acme.id, (tx) => linkChatIdentity(tx, acme.id, account, ada.id));
      // The same account may belong to a person in each workspace.
      await db.scoped(globex.id, (tx) => linkChatIdentity(tx, globex.id, account, eve.id));

      // Row-level security: even a query naming acme returns nothing in globex's scope.
      assert.equal(await db.scoped(globex.id, (tx) => findChatIdentity(tx, acme.id, account)), undefined);
      assert.deepEqual(await db.scoped(globex.id, (tx) => listChatIdentities(tx, acme.id)), []);
      assert.equal(await db.scoped(globex.id, (tx) => unlinkChatIdentity(tx, acme.id, account)), false);
      await assert.rejects(
        db.scoped(globex.id, (tx) =>
          linkChatIdentity(tx, acme.id, { ...account, externalId: "U0SNEAK" }, ada.id),
        ),
        /row-level security/,
      );
      assert.equal(
        (await db.scoped(acme.id, (tx) => findChatIdentity(tx, acme.id, account)))?.personId,
        ada.id,
      );
      assert.equal(
        (await db.scoped(globex.id, (tx) => findChatIdentity(tx, globex.id, account)))?.personId,
        eve.id,
      );
    });

    it("maps an identity with an email to that person and links the account", async () => {
      const account: ExternalAccount = {
        provider: "oauth",
        tenant: "https://idp.test",
        externalId: "sub-ada",
      };
      const actor = await personForIdentity(db, "acme", { ...account, email: "ADA@acme.test" });
      assert.equal(actor?.person.id, ada.id);
      assert.equal(actor?.workspace.id, acme.id);
      const linked = await db.scoped(acme.id, (tx) => findChatIdentity(tx, acme.id, account));
      assert.equal(linked?.personId, ada.id);

      // Later, without an email (a Slack event carries only the user id), the link answers.
      const again = await personForIdentity(db, acme.id, account);
      assert.equal(again?.person.id, ada.id, "the workspace may be named by id too");
    });

    it("lets the email decide: a new email moves the link, an unknown one maps to no one", async () => {
      const account: ExternalAccount = { provider: "teams", tenant: "tenant-acme", externalId: "aad-shared" };
      assert.equal(
        (await personForIdentity(db, "acme", { ...account, email: "ada@acme.test" }))?.person.id,
        ada.id,
      );
      assert.equal(
        (await personForIdentity(db, "acme", { ...account, email: "bob@acme.test" }))?.person.id,
        bob.id,
      );
      assert.equal(
        (await db.scoped(acme.id, (tx) => findChatIdentity(tx, acme.id, account)))?.personId,
        bob.id,
      );

      assert.equal(
        await personForIdentity(db, "acme", { ...account, email: "mallory@acme.test" }),
        undefined,
      );
      assert.equal(
        await personForIdentity(db, "acme", { ...account, email: "eve@globex.test" }),
        undefined,
        "a person of another workspace is no one here",
      );
    });

    it("maps nobody for an unlinked account without an email, or an unknown workspace", async () => {
      const stranger: ExternalAccount = { provider: "slack", tenant: "T0ACME", externalId: "U0NOBODY" };
      assert.equal(await personForIdentity(db, "acme", stranger), undefined);
      assert.equal(
        await personForIdentity(db, "initech", { ...stranger, email: "ada@acme.test" }),
        undefined,
      );
      assert.equal(await db.scoped(acme.id, (tx) => findChatIdentity(tx, acme.id, stranger)), undefined);
    });

    it("refuses a provider the table does not know", async () => {
      await assert.rejects(
        db.scoped(acme.id, (tx) =>
          tx.query(
            "INSERT INTO chat_identities (workspace_id, person_id, provider, external_id) VALUES ($1, $2, 'mcp', 'x')",
            [acme.id, ada.id],
          ),
        ),
        /chat_identities_provider_check/,
      );
    });
  });

  describe(`MCP OAuth tokens go through the identity mapping (${backend.name})`, {
    skip: backend.skip,
  }, () => {
    let cairn: TestCairn;
    let issuerServer: Server;
    let issuer: string;

    before(async () => {
      const { privateKey, publicKey } = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
      issuerServer = createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify(req.url === "/jwks" ? { keys: [jwk] } : { issuer, jwks_uri: `${issuer}/jwks` }),
        );
      });
      await new Promise<void>((resolve) => issuerServer.listen(0, "127.0.0.1", resolve));
      issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        env: { CAIRN_OAUTH_ISSUER: issuer },
      });
      const ada = await cairn.token({ workspace: "oauth-acme", email: "ada@acme.test" });
      const token = await new SignJWT({ email: "ada@acme.test", cairn_workspace: "oauth-acme" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(issuer)
        .setAudience(mcpResourceUrl(cairn.config))
        .setSubject("idp-user-42")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey);
      const response = await fetch(`${cairn.url}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "t", version: "1" },
          },
        }),
      });
      await response.text();
      assert.equal(response.status, 200);
      linkedTo = { workspaceId: ada.workspace.id, personId: ada.person.id };
    });
    let linkedTo: { workspaceId: string; personId: string };

    after(async () => {
      await cairn?.close();
      await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
    });

    it("links the token's issuer and subject to the person its email names", async () => {
      const identities = await cairn.engine.services.db.scoped(linkedTo.workspaceId, (tx) =>
        listChatIdentities(tx, linkedTo.workspaceId),
      );
      assert.deepEqual(
        identities.map(({ provider, tenant, externalId, personId }) => ({
          provider,
          tenant,
          externalId,
          personId,
        })),
        [{ provider: "oauth", tenant: issuer, externalId: "idp-user-42", personId: linkedTo.personId }],
      );
    });
  });
}
