/** The outputs of the actions the console calls (POST /api/actions/:name), read loosely. */
import { z } from "zod";

export const ScheduledBlock = z.looseObject({
  id: z.string(),
  taskId: z.string().nullable(),
  taskTitle: z.string().nullable(),
  kind: z.string(),
  habitTitle: z.string().nullable().optional(),
  status: z.string(),
  start: z.string(),
  end: z.string(),
  when: z.string(),
  minutes: z.number(),
  reason: z.string(),
});
export type ScheduledBlock = z.infer<typeof ScheduledBlock>;

export const ScheduleEvent = z.looseObject({
  id: z.string(),
  title: z.string(),
  start: z.string(),
  end: z.string(),
  allDay: z.boolean(),
  source: z.string(),
  busy: z.boolean(),
});
export type ScheduleEvent = z.infer<typeof ScheduleEvent>;

export const Schedule = z.looseObject({
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  currentVersion: z.number(),
  blocks: z.array(ScheduledBlock),
  events: z.array(ScheduleEvent),
});
export type Schedule = z.infer<typeof Schedule>;

export const Task = z.looseObject({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  priority: z.number(),
  estimateMinutes: z.number().nullable(),
  due: z.string().nullable(),
  personId: z.string().nullable(),
  source: z.string(),
});
export type Task = z.infer<typeof Task>;
export const TaskList = z.looseObject({ tasks: z.array(Task), nextCursor: z.string().nullable() });

export const Connection = z.looseObject({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  status: z.string(),
  lastSyncedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  sourceUrl: z.string().nullable().optional(),
  counts: z.looseObject({ tasks: z.number(), events: z.number() }),
  mapping: z.array(
    z.looseObject({
      scope: z.string(),
      label: z.string(),
      fields: z.record(z.string(), z.string()),
      estimate: z.looseObject({ property: z.string(), unit: z.string(), reason: z.string() }).nullable(),
      ignored: z.array(z.looseObject({ property: z.string(), reason: z.string() })),
    }),
  ),
});
export type Connection = z.infer<typeof Connection>;
export const ConnectionList = z.looseObject({ connections: z.array(Connection) });

export const SyncOutcome = z.looseObject({
  totals: z.looseObject({ created: z.number(), updated: z.number(), deleted: z.number() }),
});

export const ApiToken = z.looseObject({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  person: z.looseObject({ id: z.string(), email: z.string() }),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const TokenList = z.looseObject({ tokens: z.array(ApiToken) });
/** create_token: the token itself, shown once. */
export const CreatedToken = z.looseObject({ token: z.string() });

const Factor = z.looseObject({ name: z.string(), value: z.number(), effect: z.number() });
export const PersonInsights = z.looseObject({
  open: z.number(),
  overdue: z.number(),
  completedLast7Days: z.number(),
  basis: z.string(),
  peakHours: z.looseObject({
    bestHour: z.number(),
    hours: z.array(z.tuple([z.number(), z.number()])),
    confidence: z.number(),
  }),
  effort: z.looseObject({
    multiplier: z.number(),
    tasks: z.array(
      z.looseObject({ taskId: z.string(), predictedMinutes: z.number(), low: z.number(), high: z.number() }),
    ),
  }),
  burnout: z.looseObject({ risk: z.number(), level: z.string(), factors: z.array(Factor) }),
  score: z.looseObject({ value: z.number(), streakDays: z.number(), explanation: z.string() }),
});
export type PersonInsights = z.infer<typeof PersonInsights>;

export const ActionList = z.looseObject({
  actions: z.array(
    z.looseObject({
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      scope: z.string().optional(),
      inputSchema: z.unknown(),
    }),
  ),
});
export type ActionList = z.infer<typeof ActionList>;
