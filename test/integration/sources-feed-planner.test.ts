/** A person's Jira issues and Google meetings, synced through the real clients, are what the planner plans around. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { checkHardRules } from "../../engine/scheduling/index.ts";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { type FakeJira, startFakeJira } from "../fakes/jira.ts";
import { type SyncCairn, startSyncCairn } from "./sync-support.ts";

interface Schedule {
  blocks: { id: string; start: string; end: string; taskId: string | null; reason: string }[];
}

describe("synced sources feed the planner", () => {
  let jira: FakeJira;
  let google: FakeGoogle;
  let app: SyncCairn;
  let meeting: { start: string; end: string };

  before(async () => {
    jira = await startFakeJira({ email: "owner@example.com", apiToken: "jira-token" });
    google = await startFakeGoogle({ userEmail: "owner@example.com", timeZone: "UTC" });
    app = await startSyncCairn({ db: "pglite", jobs: "in-process" });
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    meeting = { start: `${inTwoDays}T09:00:00.000Z`, end: `${inTwoDays}T16:00:00.000Z` };
    google.state.addEvent(google.state.primaryCalendarId, {
      summary: "All-hands offsite",
      start: { dateTime: meeting.start },
      end: { dateTime: meeting.end },
    });
    const due = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    jira.state.addIssue({
      projectKey: "OPS",
      summary: "Rotate the database credentials",
      assignee: jira.state.me.accountId,
      duedate: due,
      originalEstimateSeconds: 3 * 3600,
      priority: "High",
    });
    await app.call("connect_jira", {
      host: jira.url,
      email: "owner@example.com",
      apiToken: "jira-token",
      jql: "project = OPS",
      syncEveryMinutes: 0,
    });
    await app.call("connect_google", {
      clientId: google.state.clientId,
      clientSecret: google.state.clientSecret,
      refreshToken: "1//fake-refresh-token",
      apiUrl: google.url,
      tokenUrl: google.tokenUrl,
      syncEveryMinutes: 0,
    });
  });
  after(async () => {
    await app?.close();
    await jira?.close();
    await google?.close();
  });

  it("plans the Jira issue's estimate around the Google meeting", async () => {
    await app.call("sync_now", {});
    const task = (await app.tasks()).find((t) => t.source === "jira");
    assert.ok(task, "the Jira issue became a task");
    assert.equal(task.estimateMinutes, 180);
    assert.equal(task.personId, app.admin.person.id);

    // Every day a working day, and the week that holds the meeting: the test means the same on any weekday.
    const nineToFive = [{ start: "09:00", end: "17:00" }];
    await app.call("set_preferences", {
      timezone: "UTC",
      workingHours: Object.fromEntries(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, nineToFive]),
      ),
    });
    await app.call("plan_week", { date: meeting.start.slice(0, 10) });
    const schedule = await app.call<Schedule>("get_schedule", {});
    const blocks = schedule.blocks.filter((b) => b.taskId === task.id);
    const minutes = blocks.reduce((sum, b) => sum + (Date.parse(b.end) - Date.parse(b.start)) / 60_000, 0);
    assert.equal(minutes, 180);
    for (const block of blocks) {
      const overlaps =
        Date.parse(block.start) < Date.parse(meeting.end) &&
        Date.parse(block.end) > Date.parse(meeting.start);
      assert.ok(!overlaps, `block ${block.start}–${block.end} overlaps the meeting`);
      assert.ok(block.reason.length > 0);
    }
    const violations = checkHardRules(
      {
        person: {
          timezone: "UTC",
          workingHours: Object.fromEntries(
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [
              d,
              [{ start: "09:00", end: "17:00" }],
            ]),
          ),
        },
        now: new Date(Date.now() - 60_000).toISOString(),
        horizon: {
          start: new Date(Date.now() - 60_000).toISOString(),
          end: new Date(Date.now() + 8 * 86_400_000).toISOString(),
        },
        busy: [{ id: "m", start: meeting.start, end: meeting.end }],
        tasks: [{ id: task.id, title: task.title, estimateMinutes: 180, priority: 2 }],
      },
      {
        blocks: blocks.map((b) => ({
          taskId: b.taskId as string,
          start: b.start,
          end: b.end,
          reason: b.reason,
        })),
      },
    );
    assert.deepEqual(violations, []);
  });
});
