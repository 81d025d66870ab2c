/**
 * Chat users to people: the same email links to the existing person, a new user becomes a member with the
 * platform's time zone (or gets a polite refusal with auto-provisioning off), and a link survives an email change.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { enginePeople } from "../../../bots/conversation/engine-people.ts";
import { backends, openTestEngine, type TestEngine } from "../../support/harness.ts";

for (const backend of backends()) {
  describe(`chat people (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    before(async () => {
      t = await openTestEngine({ db: backend.db, jobs: backend.jobs });
    });
    after(() => t.close());

    it("links by email, provisions with the profile's zone, and keeps the link when the email changes", async () => {
      const people = enginePeople(t.engine, { autoProvision: true });
      const demo = await t.engine.actorFor("demo");
      const owner = await people.resolve(
        { provider: "slack", tenant: "T1", userId: "U-owner", email: demo.person.email.toUpperCase() },
        "demo",
      );
      assert.ok("actor" in owner);
      assert.equal(owner.actor.person.id, demo.person.id);

      const fresh = await people.resolve(
        {
          provider: "slack",
          tenant: "T1",
          userId: "U-new",
          email: "new@example.com",
          name: "Nia",
          timezone: "Asia/Tokyo",
        },
        "demo",
      );
      assert.ok("actor" in fresh);
      assert.equal(fresh.actor.person.timezone, "Asia/Tokyo");
      assert.equal(fresh.actor.person.isAdmin, false);

      const renamed = await people.resolve(
        { provider: "slack", tenant: "T1", userId: "U-new", email: "nia@elsewhere.example" },
        "demo",
      );
      assert.ok("actor" in renamed);
      assert.equal(renamed.actor.person.id, fresh.actor.person.id);
    });

    it("refuses politely without auto-provisioning, without an email, and for an unknown workspace", async () => {
      const people = enginePeople(t.engine, { autoProvision: false, adminContact: "ops@example.com" });
      const stranger = await people.resolve(
        { provider: "teams", tenant: "tenant-1", userId: "aad-1", email: "stranger@example.com" },
        "demo",
      );
      assert.deepEqual(stranger, {
        refused: "You're not set up in Cairn yet. Ask ops@example.com to add stranger@example.com.",
      });
      const noEmail = await people.resolve(
        { provider: "teams", tenant: "tenant-1", userId: "aad-2" },
        "demo",
      );
      assert.ok("refused" in noEmail && /email address/.test(noEmail.refused));
      const nowhere = await people.resolve(
        { provider: "slack", tenant: "T9", userId: "U9", email: "a@example.com" },
        "no-such-space",
      );
      assert.ok("refused" in nowhere && /no workspace "no-such-space"/.test(nowhere.refused));
    });
  });
}
