/** The admin console's pure rules: lockout timing, heatmap and trends, encodings, cookies, who sees a change. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lockedForSeconds, MAX_FAILURES, WINDOW_MS } from "../../admin/auth/login-limit.ts";
import { hashPassword, verifyPassword } from "../../admin/auth/passwords.ts";
import { type ConsoleSession, cookieValue } from "../../admin/auth/sessions.ts";
import { visibleTo } from "../../admin/console-api/events.ts";
import { decodeAfter, encodeCursor, page } from "../../admin/console-api/pages.ts";
import { pickEncoding } from "../../admin/console-api/static.ts";
import { dailyTrends, focusHeatmap, median } from "../../admin/console-api/workspace-insights.ts";
import { CairnError } from "../../engine/errors.ts";

describe("console sign-in rules", () => {
  it("locks after MAX_FAILURES in the window, until the oldest counted failure leaves it", () => {
    const now = new Date("2026-03-02T12:00:00Z");
    const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    assert.equal(lockedForSeconds([ago(4), ago(3), ago(2), ago(1)], now), 0);
    const five = [ago(10), ago(4), ago(3), ago(2), ago(1)];
    assert.equal(MAX_FAILURES, 5);
    assert.equal(lockedForSeconds(five, now), (WINDOW_MS / 60_000 - 10) * 60);
    assert.equal(lockedForSeconds(five, new Date(now.getTime() + 5 * 60_000)), 0);
  });

  it("hashes passwords with a salt and checks them", async () => {
    const first = await hashPassword("correct horse battery");
    const second = await hashPassword("correct horse battery");
    assert.notEqual(first, second, "a fresh salt each time");
    assert.match(first, /^scrypt\$16384\$8\$1\$/);
    assert.equal(await verifyPassword("correct horse battery", first), true);
    assert.equal(await verifyPassword("correct horse batterY", first), false);
    assert.equal(await verifyPassword("anything", "not-a-hash"), false);
  });

  it("reads one cookie from a Cookie header", () => {
    assert.equal(cookieValue("a=1; cairn_session=abc; b=2", "cairn_session"), "abc");
    assert.equal(cookieValue("xcairn_session=abc", "cairn_session"), undefined);
    assert.equal(cookieValue(undefined, "cairn_session"), undefined);
  });
});

describe("console live events", () => {
  const session = (role: ConsoleSession["role"]): ConsoleSession => ({
    id: "s",
    role,
    csrfToken: "t",
    workspace: { id: "w1", slug: "w", name: "W" },
    person: { id: "p1", email: "p@example.com", name: "P", timezone: "UTC", isAdmin: role !== "member" },
  });

  it("shows a member their own and shared changes only; admins the workspace's", () => {
    const member = session("member");
    assert.equal(visibleTo(member, { kind: "plan", workspaceId: "w1", personId: "p1" }), true);
    assert.equal(visibleTo(member, { kind: "plan", workspaceId: "w1", personId: "p2" }), false);
    assert.equal(visibleTo(member, { kind: "connections", workspaceId: "w1" }), true);
    assert.equal(visibleTo(member, { kind: "tokens", workspaceId: "w1", ids: ["x"] }), false);
    assert.equal(visibleTo(member, { kind: "plan", workspaceId: "w2", personId: "p1" }), false);
    assert.equal(visibleTo(session("admin"), { kind: "plan", workspaceId: "w1", personId: "p2" }), true);
    assert.equal(visibleTo(session("owner"), { kind: "tasks", workspaceId: "w2" }), false);
  });
});

describe("console pages", () => {
  it("pages by keyset and refuses a cursor it did not give out", () => {
    const rows = [1, 2, 3].map((n) => ({
      at: `2026-03-0${n}T00:00:00.000Z`,
      id: `00000000-0000-4000-8000-00000000000${n}`,
    }));
    const first = page(rows, 2, (last) => last);
    assert.deepEqual(first.items, rows.slice(0, 2));
    assert.deepEqual(decodeAfter(first.nextCursor ?? undefined), rows[1]);
    assert.equal(page(rows.slice(0, 2), 2, (last) => last).nextCursor, null);
    assert.throws(
      () => decodeAfter("nonsense"),
      (error: unknown) => error instanceof CairnError && error.code === "invalid_input",
    );
    assert.throws(() => decodeAfter(encodeCursor({ at: "yesterday", id: "x" })), CairnError);
  });

  it("picks brotli, else gzip, as the browser accepts", () => {
    assert.equal(pickEncoding("gzip, deflate, br"), "br");
    assert.equal(pickEncoding("gzip, br;q=0"), "gzip");
    assert.equal(pickEncoding("identity"), undefined);
    assert.equal(pickEncoding(undefined), undefined);
    assert.equal(pickEncoding("*"), "br");
  });
});

describe("workspace insights", () => {
  it("adds kept focus minutes by local weekday and hour, split across hours", () => {
    const grid = focusHeatmap([
      // Monday 2026-03-02 09:30–11:00 in Berlin (08:30–10:00 UTC).
      {
        startAt: new Date("2026-03-02T08:30:00Z"),
        endAt: new Date("2026-03-02T10:00:00Z"),
        timezone: "Europe/Berlin",
      },
      // Sunday 23:30–00:30 UTC crosses into Monday.
      { startAt: new Date("2026-03-01T23:30:00Z"), endAt: new Date("2026-03-02T00:30:00Z"), timezone: "UTC" },
    ]);
    assert.equal(grid.length, 7);
    assert.equal(grid[0]?.[9], 30);
    assert.equal(grid[0]?.[10], 60);
    assert.equal(grid[6]?.[23], 30);
    assert.equal(grid[0]?.[0], 30);
    assert.equal(
      grid.flat().reduce((a, b) => a + b, 0),
      150,
    );
  });

  it("averages the day's last snapshot per person, and the median multiplier", () => {
    const at = (iso: string) => new Date(iso);
    const trends = dailyTrends([
      { personId: "a", computedAt: at("2026-03-01T08:00:00Z"), state: { burnoutRisk: 0.9, score: 10 } },
      { personId: "a", computedAt: at("2026-03-01T18:00:00Z"), state: { burnoutRisk: 0.2, score: 60 } },
      { personId: "b", computedAt: at("2026-03-01T09:00:00Z"), state: { burnoutRisk: 0.4, score: null } },
      { personId: "a", computedAt: at("2026-03-02T09:00:00Z"), state: { burnoutRisk: 0.5, score: 70 } },
    ]);
    assert.deepEqual(trends.burnoutTrend, [
      { date: "2026-03-01", avgRisk: 0.3 },
      { date: "2026-03-02", avgRisk: 0.5 },
    ]);
    assert.deepEqual(trends.scoreTrend, [
      { date: "2026-03-01", avgScore: 60 },
      { date: "2026-03-02", avgScore: 70 },
    ]);
    assert.equal(median([1.4, 1, 2]), 1.4);
    assert.equal(median([1, 2]), 1.5);
    assert.equal(median([]), null);
  });
});
