/** search_tasks after issue 14: same answers as before on small workspaces, bounded work, deterministic ties. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Actor } from "../../engine/actions/define.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { searchCandidates, textCandidates, vectorCandidates } from "../../engine/db/repositories/tasks.ts";
import type { Task } from "../../engine/domain.ts";
import { toVectorLiteral } from "../../engine/search/embedder.ts";
import { defaultSearchTuning, hybridSearch, searchWorkspace } from "../../engine/search/hybrid-search.ts";
import { backends, openTestEngine, type TestEngine } from "../support/harness.ts";

interface SearchResult {
  results: { task: Task; score: number; matchedBy: ("text" | "vector")[] }[];
}

const titles = [
  "Review budget for Q3",
  "Review budget with finance",
  "Draft Q3 budget report",
  "Fix login bug in staging",
  "Fix payment flow before launch",
  "Prepare board deck for investors",
  "Update pricing page",
  "Write onboarding guide for support",
  "Email invoice to Acme Corp",
  "Plan the offsite agenda",
  "Review the security review with legal",
  "Ship mobile app release notes",
];

for (const backend of backends()) {
  describe(`search_tasks (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    let actor: Actor;
    let outsider: Actor;

    const call = async (who: Actor, input: Record<string, unknown>) =>
      (await t.engine.call(who, "cli", "search_tasks", input)) as SearchResult;
    const create = async (who: Actor, title: string) =>
      (await t.engine.call(who, "cli", "create_task", { title })) as Task;

    before(async () => {
      t = await openTestEngine({ db: backend.db, jobs: backend.jobs });
      const mine = await issueApiToken(t.db, { workspace: "search-acme", email: "mia@acme.test" });
      const theirs = await issueApiToken(t.db, { workspace: "search-globex", email: "gus@globex.test" });
      actor = { workspace: mine.workspace, person: mine.person };
      outsider = { workspace: theirs.workspace, person: theirs.person };
      for (const title of titles) await create(actor, title);
      for (const title of titles) await create(outsider, `${title} (globex)`);
    });
    after(async () => t?.close());

    it("ranks a small workspace exactly as the query path before issue 14 did", async () => {
      for (const query of ["budget review", "Fix login bug", "investors deck", "Q3", "release notes"]) {
        const now = await call(actor, { query, limit: 10 });
        const before = await t.db.scoped(actor.workspace.id, (tx) =>
          hybridSearch(tx, t.engine.services.embedder, query, {}, 10, {
            ...defaultSearchTuning,
            path: "legacy",
          }),
        );
        assert.deepEqual(
          now.results.map((hit) => [hit.task.id, hit.score, hit.matchedBy]),
          before.map((hit) => [hit.task.id, hit.score, hit.matchedBy]),
          query,
        );
      }
      const budget = await call(actor, { query: "Review budget", limit: 3 });
      assert.deepEqual(
        budget.results
          .slice(0, 2)
          .map((hit) => hit.task.title)
          .sort(),
        ["Review budget for Q3", "Review budget with finance"],
      );
      assert.deepEqual(budget.results[0]?.matchedBy, ["text", "vector"]);
    });

    it("never returns another workspace's tasks, though the full-text side runs outside the tenant policy", async () => {
      const mine = await call(actor, { query: "budget", limit: 50 });
      const theirs = await call(outsider, { query: "budget", limit: 50 });
      assert.ok(mine.results.length > 0 && theirs.results.length > 0);
      assert.ok(mine.results.every((hit) => !hit.task.title.includes("globex")));
      assert.ok(theirs.results.every((hit) => hit.task.title.includes("globex")));
    });

    it("applies the status filter to both sides", async () => {
      const done = await create(actor, "Reconcile budget spreadsheet");
      await t.engine.call(actor, "cli", "complete_task", { id: done.id });
      const open = await call(actor, { query: "reconcile budget spreadsheet", status: ["todo"] });
      assert.ok(open.results.every((hit) => hit.task.id !== done.id));
      const closed = await call(actor, { query: "reconcile budget spreadsheet", status: ["done"] });
      assert.deepEqual(
        closed.results.map((hit) => hit.task.id),
        [done.id],
      );
    });

    it("orders equal matches by id, the same on every call, and bounds the ranked matches", async () => {
      const twins: string[] = [];
      for (let i = 0; i < 6; i++) twins.push((await create(actor, "Archive quarterly vendor contracts")).id);
      const first = await call(actor, { query: "archive quarterly vendor contracts", limit: 6 });
      const second = await call(actor, { query: "archive quarterly vendor contracts", limit: 6 });
      const ids = first.results.map((hit) => hit.task.id);
      assert.deepEqual(ids, [...twins].sort());
      assert.deepEqual(
        second.results.map((hit) => hit.task.id),
        ids,
      );
      // A pool of 2 ranks two of the six matches: still six answers (the vector side), still in id order.
      const bounded = await t.db.scoped(actor.workspace.id, (tx) =>
        hybridSearch(tx, t.engine.services.embedder, "archive quarterly vendor contracts", {}, 6, {
          ...defaultSearchTuning,
          textPool: 2,
        }),
      );
      assert.equal(bounded.length, 6);
      assert.ok(bounded.every((hit) => twins.includes(hit.task.id)));
    });

    it("matches no task by the id buckets' lexemes, whatever the query", async () => {
      const ids = new Set(
        (await call(actor, { query: "budget", limit: 50 })).results.map((hit) => hit.task.id),
      );
      assert.ok(ids.size > 0);
      const prefixes = [...ids].flatMap((id) => [id.slice(0, 1), id.slice(0, 2)]);
      for (const query of [...prefixes, ...prefixes.map((prefix) => `" ${prefix}"`), "00 or 0 or ff"]) {
        const text = await t.db.scoped(actor.workspace.id, (tx) =>
          textCandidates(tx, query, {}, 40, 1000, "buckets"),
        );
        assert.deepEqual(text, [], query);
      }
    });

    it("answers the same with its two sides at once (two connections on Postgres) as in one statement", async () => {
      for (const query of ["budget review", "Q3", "release notes", "zzz unknown", "the"]) {
        for (const status of [undefined, ["todo" as const]]) {
          const embedder = t.engine.services.embedder;
          const parallel = await searchWorkspace(t.db, actor.workspace.id, embedder, query, { status }, 10, {
            ...defaultSearchTuning,
            parallel: true,
          });
          const serial = await t.db.scoped(actor.workspace.id, (tx) =>
            hybridSearch(tx, embedder, query, { status }, 10),
          );
          assert.deepEqual(parallel, serial, `${query}, status ${status}`);
        }
      }
    });

    it("gathers both sides in one round trip with the same answers as two queries", async () => {
      for (const query of ["budget review", "Q3", "release notes", "zzz unknown"]) {
        for (const status of [undefined, ["todo" as const]]) {
          const vector = toVectorLiteral(t.engine.services.embedder.embed(query));
          const options = { depth: 40, pool: 1000, efSearch: 200 };
          const [together, apart] = await t.db.scoped(actor.workspace.id, async (tx) => [
            await searchCandidates(tx, query, vector, { status }, options),
            {
              text: await textCandidates(tx, query, { status }, 40, 1000),
              nearest: await vectorCandidates(tx, vector, { status }, 40, { efSearch: 200 }),
            },
          ]);
          assert.deepEqual(together, apart, `${query}, status ${status}`);
          assert.ok(together.nearest.length > 0, query);
        }
      }
    });

    it("finds the same lowest-id pool by buckets and by the walk as by reading every match, for every pool size and filter", async () => {
      // Titles that rank differently ("ledger" once or twice, in the title or only the description), in both
      // workspaces: the walk applies the tenant filter itself.
      const ledger = async (who: Actor, i: number) =>
        (await t.engine.call(who, "cli", "create_task", {
          title:
            i % 5 === 0 ? `Ledger close ledger ${i}` : i % 3 === 0 ? `Month end ${i}` : `Ledger close ${i}`,
          description: i % 3 === 0 ? "reconcile the ledger" : "",
          tags: [],
        })) as Task;
      const mine: Task[] = [];
      for (let i = 0; i < 45; i++) {
        mine.push(await ledger(actor, i));
        await ledger(outsider, i);
      }
      for (const task of mine.filter((_, i) => i % 4 === 0)) {
        await t.engine.call(actor, "cli", "complete_task", { id: task.id });
      }
      const walk = (pool: number, status?: ("todo" | "done")[]) =>
        t.db.scoped(actor.workspace.id, async (tx) => ({
          walked: await textCandidates(tx, "ledger", { status }, 12, pool, "walk"),
          bucketed: await textCandidates(tx, "ledger", { status }, 12, pool, "buckets"),
          everyMatch: await textCandidates(tx, "ledger", { status }, 12, pool, "all-matches"),
        }));
      // Without column statistics both probe; with them they size their first id range from them (and the
      // buckets read every match at once for a pool the statistics say is larger than the matches).
      for (const statistics of ["none", "analyzed"]) {
        if (statistics === "analyzed") await t.db.system((tx) => tx.query("ANALYZE tasks"));
        for (const pool of [1, 2, 3, 5, 10, 30, 44, 45, 46, 200, 2000]) {
          for (const status of [undefined, ["todo" as const], ["done" as const]]) {
            const { walked, bucketed, everyMatch } = await walk(pool, status);
            const label = `pool ${pool}, status ${status}, statistics ${statistics}`;
            assert.deepEqual(walked, everyMatch, label);
            assert.deepEqual(bucketed, everyMatch, label);
            assert.ok(walked.length > 0 && walked.every((hit) => mine.some((task) => task.id === hit.id)));
          }
        }
      }
      // Phrases, ORs and negations size their ranges from the matches they meet, to the same answer.
      for (const query of ['"ledger close"', "ledger or month", "ledger -reconcile", "close ledger"]) {
        for (const pool of [1, 4, 20, 200]) {
          const [bucketed, everyMatch] = await t.db.scoped(actor.workspace.id, async (tx) => [
            await textCandidates(tx, query, {}, 12, pool, "buckets"),
            await textCandidates(tx, query, {}, 12, pool, "all-matches"),
          ]);
          assert.deepEqual(bucketed, everyMatch, `${query}, pool ${pool}`);
          assert.ok(bucketed.length > 0, query);
        }
      }
      // The pool is the lowest ids among the matches: with a pool of every match, the best-ranked come first.
      const { walked } = await walk(200);
      assert.ok(
        mine
          .filter((_, i) => i % 5 === 0)
          .every((task) => walked.slice(0, 9).some((hit) => hit.id === task.id)),
      );
    });
  });
}
