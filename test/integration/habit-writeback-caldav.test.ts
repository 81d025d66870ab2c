/** Habit blocks reach a CalDAV calendar (Radicale) as Cairn's own events titled by the habit, and leave with it. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type RadicaleServer, skipWithoutRadicale, startRadicale } from "../support/radicale.ts";
import { type SyncCairn, startSyncCairn, waitFor } from "./sync-support.ts";

interface Plan {
  blocks: { id: string; kind: string; habitId: string | null; start: string; end: string }[];
}

describe("habit block write-back to CalDAV (Radicale)", { skip: skipWithoutRadicale() }, () => {
  let radicale: RadicaleServer;
  let app: SyncCairn;
  let token: string;
  let auth = "";
  const workspace = `caldav-habits-${randomUUID().slice(0, 8)}`;

  const call = async <T>(action: string, input: unknown): Promise<T> => {
    const { status, body } = await app.cairn.call(token, action, input);
    assert.ok(status >= 200 && status < 300, `${action} answered ${status}: ${JSON.stringify(body)}`);
    return body as T;
  };
  const eventText = async (blockId: string) => {
    const response = await fetch(`${radicale.calendarUrl}cairn-${blockId}.ics`, {
      headers: { Authorization: auth },
    });
    return response.status === 200 ? response.text() : undefined;
  };

  before(async () => {
    radicale = await startRadicale();
    auth = `Basic ${Buffer.from(`${radicale.username}:${radicale.password}`).toString("base64")}`;
    app = await startSyncCairn(
      { db: "pglite", jobs: "in-process" },
      {
        CAIRN_WORKSPACE: workspace,
        CAIRN_ALLOW_PRIVATE_URLS: "1",
        CALDAV_URL: radicale.url,
        CALDAV_USERNAME: radicale.username,
        CALDAV_PASSWORD: radicale.password,
      },
    );
    app.cairn.engine.services.replan.delayMs = 10 * 60_000;
    // The env-configured connection belongs to the workspace's first person: plan as that person.
    token = (await app.cairn.token({ workspace, email: "admin@example.com", admin: true })).token;
    const { connections } = await call<{ connections: { kind: string; personId: string | null }[] }>(
      "list_connections",
      {},
    );
    const ownerId = connections.find((c) => c.kind === "caldav")?.personId;
    const { people } = await call<{ people: { id: string; email: string }[] }>("list_people", {});
    const owner = people.find((p) => p.id === ownerId);
    if (owner) token = (await app.cairn.token({ workspace, email: owner.email, admin: true })).token;
  });
  after(async () => {
    await app?.close();
    await radicale?.stop();
  });

  it("writes each habit block as an event named after the habit and deletes them with the habit", async () => {
    const everyDay = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    await call("set_preferences", {
      timezone: "UTC",
      workingHours: Object.fromEntries(everyDay.map((d) => [d, [{ start: "00:00", end: "24:00" }]])),
    });
    const { habit } = await call<{ habit: { id: string } }>("create_habit", {
      title: "Lunch",
      days: everyDay,
      window: { start: "12:00", end: "14:00" },
      minMinutes: 30,
      maxMinutes: 60,
    });
    // A week wholly ahead (the week of a day 7 days from now starts tomorrow at the earliest): a week that holds
    // today would lose today's lunch once its window has less than 30 minutes left.
    const week = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const plan = await call<Plan>("plan_week", { date: week });
    const lunches = plan.blocks.filter((b) => b.kind === "habit" && b.habitId === habit.id);
    assert.equal(lunches.length, 7, JSON.stringify(plan.blocks));
    for (const block of lunches) {
      const text = await waitFor(`event for ${block.id}`, () => eventText(block.id));
      assert.match(text, /SUMMARY:Lunch/);
      assert.match(text, new RegExp(`X-CAIRN-BLOCK-ID:${block.id}`));
    }

    await call("delete_habit", { habitId: habit.id });
    await call("plan_week", { date: week });
    for (const block of lunches) {
      await waitFor(`event ${block.id} removed`, async () =>
        (await eventText(block.id)) === undefined ? true : undefined,
      );
    }
  });
});
