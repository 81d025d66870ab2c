/** Shared helpers of the sync, Notion and Jira integration tests. */
import assert from "node:assert/strict";
import type { Actor } from "../../engine/actions/define.ts";
import type { Task } from "../../engine/domain.ts";
import type { Sync } from "../../engine/sync/port.ts";
import { getSyncService } from "../../engine/sync/service.ts";
import type { SyncStats } from "../../engine/sync/stats.ts";
import type { FakeIssue, FakeJira } from "../fakes/jira.ts";
import { type Backend, startTestCairn, type TestCairn, type TestCairnOptions } from "../support/harness.ts";

export interface SyncCairn {
  cairn: TestCairn;
  admin: { token: string } & Actor;
  sync: Sync;
  /** POST an action as the admin; asserts a 2xx unless `expect` says otherwise. */
  call<T = Record<string, unknown>>(action: string, input: unknown, expect?: number): Promise<T>;
  tasks(options?: { includeSourceDeleted?: boolean }): Promise<Task[]>;
  close(): Promise<void>;
}

/** An admin of one workspace on a running Cairn, with its own token: what a test needs to own its data. */
export type WorkspaceAdmin = Pick<SyncCairn, "admin" | "call" | "tasks">;

export async function startSyncCairn(
  backend: { db: Backend; jobs: "in-process" | "bullmq" },
  env: Record<string, string> = {},
  options: Pick<TestCairnOptions, "now" | "sharedDb"> & { workspace?: string } = {},
): Promise<SyncCairn> {
  const cairn = await startTestCairn({
    db: backend.db,
    jobs: backend.jobs,
    env,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sharedDb ? { sharedDb: options.sharedDb } : {}),
  });
  return {
    cairn,
    ...(await workspaceAdmin(cairn, options.workspace)),
    sync: getSyncService(cairn.engine.services),
    close: () => cairn.close(),
  };
}

/** The owner (an admin) of `workspace`, or of a brand-new workspace when none is named. */
export async function workspaceAdmin(cairn: TestCairn, workspace?: string): Promise<WorkspaceAdmin> {
  const admin = await cairn.token({
    admin: true,
    email: "owner@example.com",
    ...(workspace ? { workspace } : {}),
  });
  const call = async <T>(action: string, input: unknown, expect?: number): Promise<T> => {
    const { status, body } = await cairn.call(admin.token, action, input);
    if (expect !== undefined) assert.equal(status, expect, `${action}: ${JSON.stringify(body)}`);
    else assert.ok(status >= 200 && status < 300, `${action} answered ${status}: ${JSON.stringify(body)}`);
    return body as T;
  };
  return {
    admin,
    call,
    async tasks(options = {}) {
      const all: Task[] = [];
      let cursor: string | null = null;
      do {
        const page: { tasks: Task[]; nextCursor: string | null } = await call("list_tasks", {
          limit: 200,
          includeSourceDeleted: options.includeSourceDeleted ?? false,
          ...(cursor ? { cursor } : {}),
        });
        all.push(...page.tasks);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
  };
}

/**
 * A brand-new workspace whose owner connected a Jira project of its own (`issues` generated issues, all assigned
 * to the owner, manual syncs only): what a sync test needs to own its data.
 */
export async function connectedJiraProject(
  cairn: TestCairn,
  fake: FakeJira,
  options: { projectKey: string; issues: number; seed: number; email: string; apiToken: string },
): Promise<WorkspaceAdmin & { made: FakeIssue[]; workspaceId: string; connectionId: string }> {
  const made = fake.state.generateIssues(options.issues, {
    projectKey: options.projectKey,
    assignedToMeRate: 1,
    seed: options.seed,
  });
  const owner = await workspaceAdmin(cairn);
  const { id: connectionId } = await owner.call<{ id: string }>("connect_jira", {
    host: fake.url,
    email: options.email,
    apiToken: options.apiToken,
    jql: `project = ${options.projectKey}`,
    syncEveryMinutes: 0,
  });
  return { ...owner, made, workspaceId: owner.admin.workspace.id, connectionId };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface SyncOutput {
  results: { connectionId: string; ok: boolean; error: string | null; stats: Stats }[];
  totals: Stats;
}
export type Stats = SyncStats;
