/**
 * What the admin console reads beyond the actions: pages of people with their chat identities, sent
 * nudges, kept focus time for the workspace heatmap, behaviour snapshots for trends, Slack installs.
 */
import type { Queryable } from "../port.ts";
import type { PageAfter } from "./audit-log.ts";

export interface PersonListing {
  id: string;
  email: string;
  name: string;
  timezone: string;
  isAdmin: boolean;
  workingHours: unknown;
  identities: { provider: "slack" | "teams"; externalId: string }[];
}

const json = (value: unknown): unknown =>
  typeof value === "string" ? (JSON.parse(value) as unknown) : value;

/** Workspace-scoped: people by lower-cased email, after the given email (keyset), with Slack/Teams identities. */
export async function listPeoplePage(
  tx: Queryable,
  afterEmail: string | undefined,
  limit: number,
  onlyId?: string,
): Promise<PersonListing[]> {
  const { rows } = await tx.query<{
    id: string;
    email: string;
    name: string;
    timezone: string;
    is_admin: boolean;
    working_hours: unknown;
  }>(
    `SELECT id, email, name, timezone, is_admin, working_hours FROM people
      WHERE ($1::text IS NULL OR lower(email) > lower($1)) AND ($3::uuid IS NULL OR id = $3)
      ORDER BY lower(email) LIMIT $2`,
    [afterEmail ?? null, limit, onlyId ?? null],
  );
  const ids = rows.map((row) => row.id);
  const identities =
    ids.length === 0
      ? []
      : (
          await tx.query<{ person_id: string; provider: "slack" | "teams"; external_id: string }>(
            `SELECT person_id, provider, external_id FROM chat_identities
              WHERE person_id = ANY($1::uuid[]) AND provider IN ('slack', 'teams') ORDER BY created_at`,
            [ids],
          )
        ).rows;
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    timezone: row.timezone,
    isAdmin: row.is_admin,
    workingHours: json(row.working_hours) ?? null,
    identities: identities
      .filter((identity) => identity.person_id === row.id)
      .map((identity) => ({ provider: identity.provider, externalId: identity.external_id })),
  }));
}

export interface NudgeListing {
  id: string;
  person: { id: string; email: string; name: string };
  kind: string;
  channel: string | null;
  status: string;
  message: string;
  scheduledFor: string | null;
  sentAt: string | null;
  answer: string | null;
  createdAt: string;
}

const isoOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : new Date(String(value)).toISOString();

/**
 * Workspace-scoped: nudges newest first. Reads the row as JSON so columns added later (channel, answer)
 * are picked up when present and null when not.
 */
export async function listNudgesPage(
  tx: Queryable,
  personId: string | undefined,
  after: PageAfter | undefined,
  limit: number,
): Promise<NudgeListing[]> {
  const { rows } = await tx.query<{ row: unknown; email: string; name: string }>(
    `SELECT to_jsonb(n) AS row, p.email, p.name FROM nudges n JOIN people p ON p.id = n.person_id
      WHERE ($1::uuid IS NULL OR n.person_id = $1)
        AND ($2::timestamptz IS NULL OR (n.created_at, n.id) < ($2::timestamptz, $3::uuid))
      ORDER BY n.created_at DESC, n.id DESC LIMIT $4`,
    [personId ?? null, after?.at ?? null, after?.id ?? null, limit],
  );
  return rows.map(({ row, email, name }) => {
    const n = (json(row) ?? {}) as Record<string, unknown>;
    const text = (key: string): string | null => {
      const value = n[key];
      if (value === null || value === undefined) return null;
      return typeof value === "string" ? value : JSON.stringify(value);
    };
    return {
      id: String(n.id),
      person: { id: String(n.person_id), email, name },
      kind: text("kind") ?? "",
      channel: text("channel"),
      status: text("status") ?? "",
      message: text("message") ?? "",
      scheduledFor: isoOrNull(n.scheduled_for),
      sentAt: isoOrNull(n.sent_at),
      answer: text("answer"),
      createdAt: isoOrNull(n.created_at) ?? "",
    };
  });
}

export interface KeptFocus {
  startAt: Date;
  endAt: Date;
  timezone: string;
}

/** Workspace-scoped: focus blocks people kept (done or accepted) since `since`, with each person's zone. */
export async function keptFocusSince(tx: Queryable, since: Date, limit = 20_000): Promise<KeptFocus[]> {
  const { rows } = await tx.query<{ start_at: Date | string; end_at: Date | string; timezone: string }>(
    `SELECT b.start_at, b.end_at, p.timezone FROM blocks b JOIN people p ON p.id = b.person_id
      WHERE b.status IN ('done', 'accepted') AND b.start_at >= $1 ORDER BY b.start_at LIMIT $2`,
    [since.toISOString(), limit],
  );
  return rows.map((row) => ({
    startAt: new Date(row.start_at),
    endAt: new Date(row.end_at),
    timezone: row.timezone,
  }));
}

export interface StateSnapshot {
  personId: string;
  computedAt: Date;
  state: Record<string, unknown>;
}

/** Workspace-scoped: people's behaviour snapshots since `since`, oldest first. */
export async function stateSnapshotsSince(tx: Queryable, since: Date): Promise<StateSnapshot[]> {
  const { rows } = await tx.query<{ person_id: string; computed_at: Date | string; state: unknown }>(
    "SELECT person_id, computed_at, state FROM user_states WHERE computed_at >= $1 ORDER BY computed_at",
    [since.toISOString()],
  );
  return rows.map((row) => ({
    personId: row.person_id,
    computedAt: new Date(row.computed_at),
    state: (json(row.state) ?? {}) as Record<string, unknown>,
  }));
}

/** System: a provider's installations, sealed, with when each was made. */
export async function listInstallationsWithDates(
  tx: Queryable,
  provider: string,
): Promise<{ sealed: string; installedAt: string }[]> {
  const { rows } = await tx.query<{ sealed: string; installed_at: Date | string }>(
    "SELECT sealed, installed_at FROM chat_installations WHERE provider = $1 ORDER BY installed_at",
    [provider],
  );
  return rows.map((row) => ({ sealed: row.sealed, installedAt: new Date(row.installed_at).toISOString() }));
}
