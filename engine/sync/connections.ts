/**
 * Repository of connections. Credentials and webhook secrets are stored sealed (AES-256-GCM under the
 * master key) and never leave this module in plain text except to the sync runner that needs them.
 */
import type { Queryable } from "../db/port.ts";

export const ConnectionStatuses = ["active", "needs_reconnect", "error", "disabled"] as const;
export type ConnectionStatus = (typeof ConnectionStatuses)[number];

export interface ConnectionRecord {
  id: string;
  workspaceId: string;
  personId: string | null;
  kind: string;
  name: string;
  status: ConnectionStatus;
  settings: unknown;
  lastError: string | null;
  lastSyncedAt: string | null;
  createdAt: string;
  syncIntervalMinutes: number;
  hasWebhookSecret: boolean;
}

interface ConnectionRow {
  id: string;
  workspace_id: string;
  person_id: string | null;
  kind: string;
  name: string;
  status: ConnectionStatus;
  settings: unknown;
  last_error: string | null;
  last_synced_at: Date | string | null;
  created_at: Date | string;
  sync_interval_minutes: number;
  has_webhook_secret: boolean;
}

const COLUMNS = `id, workspace_id, person_id, kind, name, status, settings, last_error, last_synced_at, created_at,
  sync_interval_minutes, webhook_secret_encrypted IS NOT NULL AS has_webhook_secret`;

const iso = (value: Date | string | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();

function fromRow(row: ConnectionRow): ConnectionRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    personId: row.person_id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    settings: typeof row.settings === "string" ? JSON.parse(row.settings) : row.settings,
    lastError: row.last_error,
    lastSyncedAt: iso(row.last_synced_at),
    createdAt: iso(row.created_at) as string,
    syncIntervalMinutes: row.sync_interval_minutes,
    hasWebhookSecret: row.has_webhook_secret,
  };
}

export interface NewConnection {
  personId: string | null;
  kind: string;
  name: string;
  credentialsSealed: string;
  settings: unknown;
  /** Settings values that are secrets (an ICS URL...), sealed; `settings` holds their redacted form. */
  settingsSecretSealed?: string | null;
  webhookSecretSealed: string | null;
  syncIntervalMinutes: number;
}

/** Creates the connection, or reconnects the one with the same kind and name (new credentials, status active). */
export async function upsertConnection(
  tx: Queryable,
  workspaceId: string,
  input: NewConnection,
): Promise<{ connection: ConnectionRecord; created: boolean }> {
  const result = await tx.query<ConnectionRow & { inserted: boolean }>(
    `INSERT INTO connections (workspace_id, person_id, kind, name, credentials_encrypted, settings, webhook_secret_encrypted,
       sync_interval_minutes, settings_secret_encrypted)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)
     ON CONFLICT (workspace_id, kind, name) DO UPDATE SET
       credentials_encrypted = EXCLUDED.credentials_encrypted,
       settings = EXCLUDED.settings,
       settings_secret_encrypted = EXCLUDED.settings_secret_encrypted,
       webhook_secret_encrypted = coalesce(EXCLUDED.webhook_secret_encrypted, connections.webhook_secret_encrypted),
       sync_interval_minutes = EXCLUDED.sync_interval_minutes,
       person_id = coalesce(connections.person_id, EXCLUDED.person_id),
       status = 'active', last_error = NULL, updated_at = now()
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    [
      workspaceId,
      input.personId,
      input.kind,
      input.name,
      input.credentialsSealed,
      JSON.stringify(input.settings ?? {}),
      input.webhookSecretSealed,
      input.syncIntervalMinutes,
      input.settingsSecretSealed ?? null,
    ],
  );
  const row = result.rows[0] as ConnectionRow & { inserted: boolean };
  return { connection: fromRow(row), created: row.inserted };
}

export async function listConnectionRecords(tx: Queryable): Promise<ConnectionRecord[]> {
  const result = await tx.query<ConnectionRow>(
    `SELECT ${COLUMNS} FROM connections ORDER BY created_at, name`,
  );
  return result.rows.map(fromRow);
}

export async function getConnectionRecord(tx: Queryable, id: string): Promise<ConnectionRecord | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const result = await tx.query<ConnectionRow>(`SELECT ${COLUMNS} FROM connections WHERE id = $1`, [id]);
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

export async function findConnectionByName(
  tx: Queryable,
  kind: string,
  name: string,
): Promise<ConnectionRecord | undefined> {
  const result = await tx.query<ConnectionRow>(
    `SELECT ${COLUMNS} FROM connections WHERE kind = $1 AND name = $2`,
    [kind, name],
  );
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

/** The sealed secrets of a connection, for the runner and the webhook router only. */
export async function sealedSecrets(
  tx: Queryable,
  id: string,
): Promise<{ credentials: string; webhookSecret: string | null; settingsSecret: string | null } | undefined> {
  const result = await tx.query<{
    credentials_encrypted: string;
    webhook_secret_encrypted: string | null;
    settings_secret_encrypted: string | null;
  }>(
    "SELECT credentials_encrypted, webhook_secret_encrypted, settings_secret_encrypted FROM connections WHERE id = $1",
    [id],
  );
  const row = result.rows[0];
  return row
    ? {
        credentials: row.credentials_encrypted,
        webhookSecret: row.webhook_secret_encrypted,
        settingsSecret: row.settings_secret_encrypted,
      }
    : undefined;
}

/** System transaction: connections whose settings were stored before secret settings were sealed. */
export async function connectionsWithUnsealedSettings(
  tx: Queryable,
): Promise<{ id: string; kind: string; settings: unknown }[]> {
  const result = await tx.query<{ id: string; kind: string; settings: unknown }>(
    "SELECT id, kind, settings FROM connections WHERE settings_secret_encrypted IS NULL",
  );
  return result.rows.map((row) => ({
    ...row,
    settings: typeof row.settings === "string" ? JSON.parse(row.settings) : row.settings,
  }));
}

/** Replaces the plain settings by their redacted form and stores the secret values sealed. */
export async function sealSettingsSecret(
  tx: Queryable,
  id: string,
  visible: unknown,
  sealed: string,
): Promise<void> {
  await tx.query(
    "UPDATE connections SET settings = $2::jsonb, settings_secret_encrypted = $3, updated_at = now() WHERE id = $1",
    [id, JSON.stringify(visible ?? {}), sealed],
  );
}

export async function saveSealedCredentials(tx: Queryable, id: string, sealed: string): Promise<void> {
  await tx.query("UPDATE connections SET credentials_encrypted = $2, updated_at = now() WHERE id = $1", [
    id,
    sealed,
  ]);
}

/** Stores a webhook secret only when none is set yet (a handshake never replaces a configured secret). */
export async function setWebhookSecretIfMissing(tx: Queryable, id: string, sealed: string): Promise<boolean> {
  const result = await tx.query(
    "UPDATE connections SET webhook_secret_encrypted = $2, updated_at = now() WHERE id = $1 AND webhook_secret_encrypted IS NULL",
    [id, sealed],
  );
  return result.rowCount > 0;
}

export async function setConnectionStatus(
  tx: Queryable,
  id: string,
  status: ConnectionStatus,
  lastError: string | null,
): Promise<void> {
  await tx.query("UPDATE connections SET status = $2, last_error = $3, updated_at = now() WHERE id = $1", [
    id,
    status,
    lastError,
  ]);
}

export async function recordConnectionError(tx: Queryable, id: string, lastError: string): Promise<void> {
  await tx.query("UPDATE connections SET last_error = $2, updated_at = now() WHERE id = $1", [id, lastError]);
}

export async function markConnectionSynced(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query(
    "UPDATE connections SET last_synced_at = $2, last_error = NULL, status = CASE WHEN status = 'error' THEN 'active' ELSE status END, updated_at = now() WHERE id = $1",
    [id, at.toISOString()],
  );
}

export async function deleteConnectionRecord(tx: Queryable, id: string): Promise<boolean> {
  const result = await tx.query("DELETE FROM connections WHERE id = $1", [id]);
  return result.rowCount > 0;
}

/** Tasks and events each connection brought in, for list_connections. */
export async function connectionCounts(
  tx: Queryable,
): Promise<Map<string, { tasks: number; events: number }>> {
  const counts = new Map<string, { tasks: number; events: number }>();
  const tasks = await tx.query<{ connection_id: string; n: string | number }>(
    "SELECT connection_id, count(*) AS n FROM task_sources WHERE deleted_at IS NULL GROUP BY connection_id",
  );
  for (const row of tasks.rows) counts.set(row.connection_id, { tasks: Number(row.n), events: 0 });
  const events = await tx.query<{ connection_id: string; n: string | number }>(
    "SELECT connection_id, count(*) AS n FROM calendar_events WHERE connection_id IS NOT NULL GROUP BY connection_id",
  );
  for (const row of events.rows) {
    const entry = counts.get(row.connection_id) ?? { tasks: 0, events: 0 };
    entry.events = Number(row.n);
    counts.set(row.connection_id, entry);
  }
  return counts;
}

/** System transaction: every connection of a kind across workspaces (webhook routing, scheduling). */
export async function allConnectionsOfKind(
  tx: Queryable,
  kind?: string,
): Promise<(ConnectionRecord & { webhookSecretSealed: string | null })[]> {
  const result = await tx.query<ConnectionRow & { webhook_secret_encrypted: string | null }>(
    `SELECT ${COLUMNS}, webhook_secret_encrypted FROM connections ${kind ? "WHERE kind = $1" : ""} ORDER BY created_at`,
    kind ? [kind] : [],
  );
  return result.rows.map((row) => ({ ...fromRow(row), webhookSecretSealed: row.webhook_secret_encrypted }));
}
