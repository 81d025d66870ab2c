/**
 * The admin API's answers as the console reads them (the contract in the console-server brief). Every
 * response is parsed here, so a server that drifts from the contract shows a clear error instead of a
 * broken page. Objects are loose: the server may add fields.
 */
import { z } from "zod";

export const Role = z.enum(["owner", "admin", "member"]);
export type Role = z.infer<typeof Role>;

export const SessionUser = z.looseObject({
  email: z.string(),
  name: z.string().nullable().optional(),
  role: Role,
  personId: z.string().nullable().optional(),
  workspace: z.looseObject({ id: z.string(), slug: z.string(), name: z.string() }),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const Session = z.looseObject({ user: SessionUser, csrfToken: z.string() });
export type Session = z.infer<typeof Session>;

export const Problem = z.looseObject({
  title: z.string(),
  detail: z.string().optional(),
  setupAvailable: z.boolean().optional(),
});
export type Problem = z.infer<typeof Problem>;

const QueueDepth = z.looseObject({
  name: z.string(),
  waiting: z.number(),
  delayed: z.number(),
  active: z.number(),
  completed: z.number(),
  failed: z.number(),
});

export const Overview = z.looseObject({
  database: z.looseObject({ ok: z.boolean(), kind: z.string(), latencyMs: z.number().nullable().optional() }),
  queue: z.looseObject({ ok: z.boolean(), kind: z.string(), queues: z.array(QueueDepth) }),
  connections: z.array(
    z.looseObject({
      id: z.string(),
      kind: z.string(),
      name: z.string(),
      status: z.string(),
      lastSyncAt: z.string().nullable().optional(),
      lastError: z.string().nullable().optional(),
    }),
  ),
  failedJobs: z.array(
    z.looseObject({
      id: z.string(),
      queue: z.string(),
      name: z.string(),
      error: z.string().nullable().optional(),
      attempts: z.number().optional(),
      failedAt: z.string().nullable().optional(),
    }),
  ),
  recentErrors: z.array(z.looseObject({ at: z.string(), source: z.string(), message: z.string() })),
});
export type Overview = z.infer<typeof Overview>;

export const WorkingInterval = z.looseObject({ start: z.string(), end: z.string() });
export const WorkingHours = z.record(z.string(), z.array(WorkingInterval).nullable());
export type WorkingHours = z.infer<typeof WorkingHours>;

export const PersonRow = z.looseObject({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable().optional(),
  role: Role.nullable().optional(),
  timezone: z.string(),
  workingHours: WorkingHours.nullable().optional(),
  identities: z.array(
    z.looseObject({
      provider: z.string(),
      externalId: z.string(),
      displayName: z.string().nullable().optional(),
    }),
  ),
});
export type PersonRow = z.infer<typeof PersonRow>;

/** Every paginated list: a page of items and the cursor of the next page (null on the last). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({ items: z.array(item), nextCursor: z.string().nullable().optional() });

export const PeoplePage = pageOf(PersonRow);

export const AuditEntry = z.looseObject({
  id: z.union([z.string(), z.number()]),
  at: z.string(),
  actor: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable().optional(),
  detail: z.unknown().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditPage = pageOf(AuditEntry);

export const NudgeRow = z.looseObject({
  id: z.union([z.string(), z.number()]),
  person: z.string().nullable().optional(),
  kind: z.string().nullable().optional(),
  channel: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  sentAt: z.string().nullable().optional(),
  sent_at: z.string().nullable().optional(),
  answer: z.string().nullable().optional(),
});
export type NudgeRow = z.infer<typeof NudgeRow>;
export const NudgesPage = pageOf(NudgeRow);

export const Bots = z.looseObject({
  slack: z.looseObject({
    configured: z.boolean(),
    installUrl: z.string().nullable(),
    installations: z.array(
      z.looseObject({ team: z.string(), installedAt: z.string().nullable().optional() }),
    ),
  }),
  teams: z.looseObject({ configured: z.boolean(), packageUrl: z.string().nullable() }),
  mcp: z.looseObject({
    url: z.string(),
    snippets: z.looseObject({
      claudeDesktop: z.string(),
      claudeCode: z.string(),
      cursor: z.string(),
      vscode: z.string(),
    }),
  }),
});
export type Bots = z.infer<typeof Bots>;

export const WorkspaceInsights = z.looseObject({
  people: z.number(),
  peakHeatmap: z.array(z.array(z.number())),
  burnoutTrend: z.array(z.looseObject({ date: z.string(), avgRisk: z.number() })),
  scoreTrend: z.array(z.looseObject({ date: z.string(), avgScore: z.number() })),
  effort: z.looseObject({ medianMultiplier: z.number().nullable(), people: z.number() }),
  /** How old the stored per-person figures are (admin/console-api/workspace-insights.ts). */
  freshness: z
    .looseObject({
      asOf: z.string().nullable(),
      newest: z.string().nullable(),
      computedNow: z.number(),
      pending: z.number(),
      stale: z.number(),
      freshForMinutes: z.number(),
    })
    .optional(),
});
export type WorkspaceInsights = z.infer<typeof WorkspaceInsights>;

/** A server-sent `change` event (engine/changes.ts). */
export const ChangeEvent = z.looseObject({
  kind: z.string(),
  workspaceId: z.string().optional(),
  personId: z.string().nullable().optional(),
});
export type ChangeEvent = z.infer<typeof ChangeEvent>;
