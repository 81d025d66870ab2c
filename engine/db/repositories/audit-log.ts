/** Reading the audit log (written by recordAudit in event-log.ts): newest first, filtered, by keyset pages. */
import type { Queryable } from "../port.ts";

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  /** Part of the actor (an email, "cli", "system"), any case. */
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

/** Where the previous page ended: the last entry's time and id. */
export interface PageAfter {
  at: string;
  id: string;
}

interface AuditRow {
  id: string;
  at: Date | string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

const asObject = (value: unknown): Record<string, unknown> => {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  return parsed && typeof parsed === "object" && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
};

/** Workspace-scoped: up to `limit` entries after `after`. */
export async function listAuditEntries(
  tx: Queryable,
  filter: AuditFilter,
  after: PageAfter | undefined,
  limit: number,
): Promise<AuditEntry[]> {
  const { rows } = await tx.query<AuditRow>(
    `SELECT id, at, actor, action, target, details FROM audit_log
      WHERE ($1::text IS NULL OR position(lower($1) in lower(actor)) > 0)
        AND ($2::text IS NULL OR action = $2)
        AND ($3::timestamptz IS NULL OR at >= $3)
        AND ($4::timestamptz IS NULL OR at <= $4)
        AND ($5::timestamptz IS NULL OR (at, id) < ($5::timestamptz, $6::uuid))
      ORDER BY at DESC, id DESC LIMIT $7`,
    [
      filter.actor ?? null,
      filter.action ?? null,
      filter.from?.toISOString() ?? null,
      filter.to?.toISOString() ?? null,
      after?.at ?? null,
      after?.id ?? null,
      limit,
    ],
  );
  return rows.map((row) => ({
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: asObject(row.details),
  }));
}
