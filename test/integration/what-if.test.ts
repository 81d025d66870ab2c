/**
 * what_if on every backend: hypothetical changes (a day off, a meeting, a new task, a new estimate) replan a
 * copy of the person's state; the answer names the blocks that would move, the deadlines that would become at
 * risk and the work that would no longer fit, the same over HTTP and MCP, and nothing stored changes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { DateTime } from "luxon";
import type { Task } from "../../engine/domain.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer } from "../../mcp-server/index.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { act, type Who } from "./planner-insights-fixtures.ts";

interface Span {
  start: string;
  end: string;
}
interface WhatIf {
  moved: { taskId?: string; habitId?: string; title: string; from: Span; to: Span | null }[];
  added: { taskId?: string; title: string; start: string; end: string }[];
  newlyAtRisk: { taskId: string; title: string; probability: number; due: string }[];
  newlyUnscheduled: { taskId?: string; title: string; remainingMinutes: number; reason: string }[];
  stored: false;
  summary: string;
}

/** Next Monday 07:00 UTC: a whole working week ahead, whatever day the suite runs. */
function nextMonday(): Date {
  const today = DateTime.utc().startOf("day");
  return today
    .plus({ days: 8 - today.weekday })
    .set({ hour: 7 })
    .toJSDate();
}

for (const backend of backends()) {
  describe(`what_if (${backend.name})`, { skip: backend.skip }, () => {
    const now = nextMonday();
    const monday = DateTime.fromJSDate(now, { zone: "UTC" });
    const wednesday = monday.plus({ days: 2 }).toISODate() as string;
    let cairn: TestCairn;
    let dora: Who;
    let deck: Task;
    let spec: Task;
    const call = <T>(input: unknown) => act<T>(cairn, dora, "what_if", input);

    /** Every stored row a what-if could touch, as text, in a fixed order. */
    async function snapshot(): Promise<string> {
      const tables = [
        "tasks",
        "blocks",
        "plans",
        "events",
        "calendar_events",
        "planning_pins",
        "slot_preference_state",
        "people",
      ];
      return cairn.engine.services.db.scoped(dora.workspace.id, async (tx) => {
        const out: string[] = [];
        for (const table of tables) {
          const exists = await tx.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = $1",
            [table],
          );
          if (!exists.rows[0]?.n) continue;
          const { rows } = await tx.query<{ row: string }>(
            `SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY 1`,
          );
          out.push(`${table}:${rows.map((r) => r.row).join("\n")}`);
        }
        return out.join("\n\n");
      });
    }

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        now: () => now,
        startWorkers: false,
      });
      dora = await cairn.token({ workspace: "what-if", email: "dora@what-if.test" });
      deck = await act<Task>(cairn, dora, "create_task", {
        title: "Launch deck",
        estimateMinutes: 480,
        due: `${wednesday}T17:00:00Z`,
        priority: 2,
      });
      spec = await act<Task>(cairn, dora, "create_task", { title: "Write the spec", estimateMinutes: 240 });
      await act(cairn, dora, "create_task", { title: "Backlog grooming", estimateMinutes: 600, priority: 4 });
      await act(cairn, dora, "plan_week", {});
    });
    after(async () => cairn?.close());

    it("a day off moves that day's blocks, puts a deadline at risk and leaves work over, storing nothing", async () => {
      const before = await snapshot();
      const result = await call<WhatIf>({ changes: [{ type: "day_off", date: wednesday }] });
      assert.equal(await snapshot(), before, "stored plan, tasks, events and calendar are unchanged");
      assert.equal(result.stored, false);

      const fromWednesday = result.moved.filter((m) => m.from.start.startsWith(wednesday));
      assert.ok(fromWednesday.length > 0, `Wednesday's blocks move: ${JSON.stringify(result.moved)}`);
      for (const m of result.moved)
        assert.ok(!m.to?.start.startsWith(wednesday), "nothing lands on the day off");
      const risky = result.newlyAtRisk.find((r) => r.taskId === deck.id);
      assert.ok(risky, `the deck due Wednesday becomes at risk: ${JSON.stringify(result.newlyAtRisk)}`);
      assert.equal(risky.title, "Launch deck");
      assert.ok(risky.probability < 0.5);
      assert.ok(result.newlyUnscheduled.length > 0, "a day less: not everything fits the week");
      assert.match(
        result.summary,
        /^With a day off on Wed \d+ \w+, \d+ blocks? would move; at risk: “Launch deck”/,
      );
      assert.match(result.summary, /Nothing was changed/);
    });

    it("a new task, a meeting and a new estimate are tried together", async () => {
      const before = await snapshot();
      const result = await call<WhatIf>({
        changes: [
          { type: "task", title: "Hotfix", estimateMinutes: 120, due: `${wednesday}T12:00:00Z`, priority: 1 },
          {
            type: "meeting",
            start: monday.set({ hour: 9 }).toISO(),
            end: monday.set({ hour: 11 }).toISO(),
            title: "Offsite",
          },
          { type: "estimate", taskId: deck.id, estimateMinutes: 60 },
        ],
      });
      assert.equal(await snapshot(), before);
      const hotfix = result.added.filter((a) => a.taskId === "new-task-1");
      assert.ok(hotfix.length > 0, `the new task gets time: ${JSON.stringify(result.added)}`);
      assert.equal(hotfix[0]?.title, "Hotfix");
      for (const m of [...result.moved.map((x) => x.to), ...result.added].filter(
        (s): s is Span => s !== null,
      )) {
        const overlaps =
          Date.parse(m.start) < Date.parse(monday.set({ hour: 11 }).toISO() as string) &&
          Date.parse(m.end) > Date.parse(monday.set({ hour: 9 }).toISO() as string);
        assert.ok(!overlaps, `nothing is placed in the meeting: ${JSON.stringify(m)}`);
      }
      assert.ok(!result.newlyAtRisk.some((r) => r.taskId === deck.id), "a 60-minute deck is not at risk");
      assert.match(result.summary, /a new task “Hotfix” \(120 min, due Wed/);
      assert.match(result.summary, /“Launch deck” at 60 min/);
    });

    it("answers the same over MCP as over HTTP", async () => {
      const input = { changes: [{ type: "day_off", date: wednesday }] };
      const fromHttp = await call<WhatIf>(input);
      const server = createCairnMcpServer({
        engine: cairn.engine,
        actor: dora,
        principal: "test:what-if",
        limiter: new RateLimiter(100),
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: "what-if-test", version: "1.0.0" });
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      try {
        const result = await client.callTool({ name: "what_if", arguments: input });
        assert.notEqual(result.isError, true, JSON.stringify(result));
        assert.deepEqual(result.structuredContent, fromHttp);
      } finally {
        await client.close();
        await server.close();
      }
    });

    it("refuses bad changes with a 400 naming the field", async () => {
      const cases: [unknown, RegExp][] = [
        [{ changes: [] }, /changes/],
        [{ changes: [{ type: "holiday", date: wednesday }] }, /changes\[0\]|changes\.0|type/],
        [{ changes: [{ type: "day_off", date: "2026-02-30" }] }, /date/],
        [
          {
            changes: [
              {
                type: "meeting",
                start: monday.set({ hour: 11 }).toISO(),
                end: monday.set({ hour: 9 }).toISO(),
              },
            ],
          },
          /changes\[0\]\.end/,
        ],
        [
          {
            changes: [
              { type: "estimate", taskId: "00000000-0000-4000-8000-000000000000", estimateMinutes: 30 },
            ],
          },
          /changes\[0\]\.taskId/,
        ],
        [{ changes: [{ type: "task", title: "x", estimateMinutes: 0 }] }, /estimateMinutes/],
      ];
      for (const [input, field] of cases) {
        const { status, body } = await cairn.call(dora.token, "what_if", input);
        assert.equal(status, 400, JSON.stringify(body));
        assert.match(JSON.stringify(body), field);
      }
      assert.ok(spec.id);
    });
  });
}
