import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pageForPath, refreshesOn, visiblePages } from "../../../admin/console/src/lib/navigation.ts";
import {
  currentCursor,
  firstPage,
  nextPage,
  pageNumber,
  previousPage,
  slicePage,
} from "../../../admin/console/src/lib/pagination.ts";
import { unscheduledTasks, weekRange } from "../../../admin/console/src/lib/week.ts";

describe("pagination", () => {
  it("walks server cursors forward and back", () => {
    let pages = firstPage();
    assert.equal(currentCursor(pages), null);
    pages = nextPage(pages, "c2");
    pages = nextPage(pages, "c3");
    assert.deepEqual([pageNumber(pages), currentCursor(pages)], [3, "c3"]);
    pages = previousPage(pages);
    assert.deepEqual([pageNumber(pages), currentCursor(pages)], [2, "c2"]);
    assert.equal(nextPage(pages, null), pages, "no next cursor: stays on the last page");
    assert.equal(previousPage(previousPage(pages)).cursors.length, 1, "never before the first page");
  });

  it("slices a list the client has, clamping the page", () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    assert.deepEqual(slicePage(items, 3, 10), {
      items: [20, 21, 22],
      page: 3,
      pages: 3,
      hasPrevious: true,
      hasNext: false,
    });
    assert.equal(slicePage(items, 9, 10).page, 3);
    assert.equal(slicePage(items, 0, 10).page, 1);
    assert.deepEqual(slicePage([], 1, 10), {
      items: [],
      page: 1,
      pages: 1,
      hasPrevious: false,
      hasNext: false,
    });
  });
});

describe("console navigation", () => {
  it("shows members only the pages about themselves, with the labels kept exactly", () => {
    assert.deepEqual(
      visiblePages("owner").map((p) => p.label),
      ["Overview", "Connections", "People", "Plans", "Insights", "Nudges", "Audit log", "Bots and MCP"],
    );
    assert.deepEqual(
      visiblePages("member").map((p) => p.label),
      ["People", "Plans", "Insights", "Nudges"],
    );
  });

  it("refuses admin pages to members and sends unknown paths to the first page", () => {
    assert.deepEqual(pageForPath("/admin/audit", "member").allowed, false);
    assert.deepEqual(pageForPath("/admin/audit/", "admin").allowed, true);
    assert.equal(pageForPath("/admin", "owner").page.id, "overview");
    assert.equal(pageForPath("/admin/nope", "member").page.id, "people");
  });

  it("refreshes the Plans page on plan, task and calendar changes only", () => {
    assert.deepEqual(
      ["plan", "tasks", "calendar", "tokens"].map((kind) => refreshesOn("plans", kind)),
      [true, true, true, false],
    );
  });
});

describe("the Plans page's week", () => {
  it("starts at UTC midnight and moves by whole weeks", () => {
    const now = Date.parse("2026-03-04T15:20:00Z");
    assert.deepEqual(weekRange(now, 0), { from: "2026-03-04T00:00:00.000Z", to: "2026-03-11T00:00:00.000Z" });
    assert.equal(weekRange(now, -1).from, "2026-02-25T00:00:00.000Z");
  });

  it("lists open tasks without a live block as unscheduled", () => {
    const tasks = [
      { id: "a", status: "todo" },
      { id: "b", status: "in_progress" },
      { id: "c", status: "todo" },
      { id: "d", status: "done" },
    ];
    const blocks = [
      { taskId: "a", status: "planned" },
      { taskId: "c", status: "deleted" },
      { taskId: null, status: "planned" },
    ];
    assert.deepEqual(
      unscheduledTasks(tasks, blocks).map((t) => t.id),
      ["b", "c"],
    );
  });
});
