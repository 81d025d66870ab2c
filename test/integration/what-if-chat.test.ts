/**
 * What-if and estimates in chat on the real engine: "what if I take Friday off" answers with what would move and
 * changes nothing; "how long will … really take" answers with the calibrated estimate and its reason.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { respond } from "../../bots/conversation/conversation.ts";
import { enginePort } from "../../bots/conversation/engine-port.ts";
import type { Message } from "../../bots/conversation/message.ts";
import type { Actor } from "../../engine/actions/define.ts";
import { ensurePerson } from "../../engine/db/repositories/workspaces.ts";
import { backends, openTestEngine, type TestEngine } from "../support/harness.ts";

// Monday 16 March 2026, 08:00 UTC.
const NOW = new Date("2026-03-16T08:00:00Z");
const textOf = (message: Message) =>
  message.parts.map((p) => ("text" in p ? p.text : JSON.stringify(p))).join("\n");

for (const backend of backends()) {
  describe(`what-if in chat (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    let actor: Actor;

    before(async () => {
      t = await openTestEngine({ db: backend.db, jobs: backend.jobs, now: () => NOW });
      const demo = await t.engine.actorFor("demo");
      await t.db.scoped(demo.workspace.id, (tx) =>
        ensurePerson(tx, demo.workspace.id, { email: "ada@example.com", name: "Ada", isAdmin: false }),
      );
      actor = await t.engine.actorFor("demo", "ada@example.com");
      // A full week of work (five days at the 300-minute daily cap), so Friday has blocks.
      const titles = ["Write the Q3 report", "Review the budget", "Plan the offsite", "Hire", "Ship"];
      for (const title of titles) {
        await t.engine.call(actor, "http", "create_task", { title, estimateMinutes: 300 });
      }
      await t.engine.call(actor, "http", "plan_week", {});
    });
    after(() => t.close());

    it("what if I take Friday off: the blocks that would move, and nothing changes", async () => {
      const before = await t.engine.call(actor, "http", "get_schedule", {});
      const port = enginePort(t.engine, actor, "terminal", "test:what-if");
      const reply = await respond(port, "what if I take Friday off?");
      assert.match(reply.text, /^With a day off on Fri 20 Mar, \d+ blocks? would move/);
      assert.match(textOf(reply), /Fri 20 Mar \d\d:\d\d → no place this week/);
      assert.deepEqual(await t.engine.call(actor, "http", "get_schedule", {}), before);
    });

    it("how long will the Q3 report really take: the calibrated estimate, on the population prior", async () => {
      const port = enginePort(t.engine, actor, "terminal", "test:estimate");
      const reply = await respond(port, "how long will the Q3 report really take?");
      // The population's typical overrun (trained: models/trained/), not a figure of this person's.
      assert.match(reply.text, /“Write the Q3 report” will likely take \dh \d+min \(you estimated 5h\)/);
      assert.match(reply.text, /typical \d\.\d+× overrun/);
      assert.match(reply.text, /Too little history of your own yet/);
    });
  });
}
