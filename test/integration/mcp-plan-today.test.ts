/** cairn://plan/today over MCP shows the whole day: Cairn's blocks (habits included) beside the calendar's events. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../../engine/actions/define.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer, PLAN_TODAY_URI } from "../../mcp-server/index.ts";
import { backends } from "../support/harness.ts";
import { openTestEngine, personToken, structured, type TestEngine } from "./mcp-fixtures.ts";

// Monday 2 March 2026, 08:30 in Berlin (UTC+1).
const NOW = new Date("2026-03-02T07:30:00Z");

function resourceText(result: ReadResourceResult): string {
  const first = result.contents[0];
  assert.ok(first && "text" in first, "a text resource");
  return first.text;
}

for (const backend of backends()) {
  describe(`cairn://plan/today with habits and events (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    let member: Actor & { tokenId: string };
    let client: Client;
    let close: () => Promise<void>;

    const tool = async <T>(name: string, args: Record<string, unknown>): Promise<T> =>
      structured<T>(t.engine, name, await client.callTool({ name, arguments: args }));

    const insertEvent = (
      title: string,
      start: string,
      end: string,
      extra: { declined?: boolean; status?: string } = {},
    ) =>
      t.engine.services.db.scoped(member.workspace.id, (tx) =>
        tx.query(
          `INSERT INTO calendar_events (workspace_id, person_id, external_id, title, start_at, end_at, declined, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            member.workspace.id,
            member.person.id,
            randomUUID(),
            title,
            start,
            end,
            extra.declined ?? false,
            extra.status ?? "confirmed",
          ],
        ),
      );

    before(async () => {
      t = await openTestEngine(backend.db, { now: () => NOW });
      member = await personToken(t.db, {
        workspace: `today-${randomUUID().slice(0, 8)}`,
        email: "lea@acme.test",
      });
      const server = createCairnMcpServer({
        engine: t.engine,
        actor: member,
        principal: `token:${member.tokenId}`,
        limiter: new RateLimiter(10_000),
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      client = new Client({ name: "cairn-test", version: "1.0.0" });
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      close = async () => {
        await client.close();
        await server.close();
      };
    });
    after(async () => {
      await close?.();
      await t?.close();
    });

    it("lists today's habit and focus blocks beside the meetings, without declined or cancelled events", async () => {
      await tool("set_preferences", { timezone: "Europe/Berlin" });
      await tool("create_habit", {
        title: "Lunch",
        days: ["mon", "tue", "wed", "thu", "fri"],
        window: { start: "12:00", end: "14:00" },
        minMinutes: 30,
        maxMinutes: 45,
      });
      await tool("create_task", { title: "Prepare workshop", estimateMinutes: 90, priority: 2 });
      await insertEvent("Design review", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z");
      await insertEvent("Declined demo", "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z", { declined: true });
      await insertEvent("Cancelled sync", "2026-03-02T15:00:00Z", "2026-03-02T15:30:00Z", {
        status: "cancelled",
      });
      await tool("plan_day", {});

      const today = JSON.parse(resourceText(await client.readResource({ uri: PLAN_TODAY_URI })));
      assert.equal(today.source, "get_schedule", today.scheduleError);
      const kinds = today.schedule.blocks.map((b: { kind: string }) => b.kind).sort();
      assert.deepEqual([...new Set(kinds)], ["habit", "task"]);
      const lunch = today.schedule.blocks.find((b: { kind: string }) => b.kind === "habit");
      assert.equal(lunch.habitTitle, "Lunch");
      assert.deepEqual(
        today.schedule.events.map((e: { title: string }) => e.title),
        ["Design review"],
      );
      assert.equal(today.schedule.focusGoal, null);
    });
  });
}
