/**
 * Repository of connections. Credentials and webhook secrets are stored sealed (AES-256-GCM under the
 * master key) and never leave this module in plain text except to the sync runner that needs them.
 */
import type { Queryable } from "../port.ts";

export const ConnectionStatuses = ["active", "needs_reconnect", "error", "disabled"] as const;
export type ConnectionStatus = (typeof ConnectionStatuses)[number];

/**
 * Where a connection's webhook secret came from: `configured` (env or a connect_* action), `captured` (an
 * unsigned handshake during an admin's set-up window, not yet proven), `verified` (a signed event matched it).
 */
export const WebhookSecretSources = ["configured", "captured", "verified"] as const;
export type WebhookSecretSource = (typeof WebhookSecretSources)[number];

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
  webhookSecretSource: WebhookSecretSource | null;
  /** Until when an admin's webhook set-up window is open (null: closed). */
  webhookSetupUntil: string | null;
  /** The admin who opened the last set-up window. */
  webhookSetupBy: string | null;
  webhookCapturedAt: string | null;
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
  webhook_secret_source: WebhookSecretSource | null;
  webhook_setup_until: Date | string | null;
  webhook_setup_by: string | null;
  webhook_captured_at: Date | string | null;
}

const COLUMNS = `id, workspace_id, person_id, kind, name, status, settings, last_error, last_synced_at, created_at,
  sync_interval_minutes, webhook_secret_encrypted IS NOT NULL AS has_webhook_secret,
  CASE WHEN webhook_secret_encrypted IS NULL THEN NULL ELSE coalesce(webhook_secret_source, 'configured') END
    AS webhook_secret_source,
  webhook_setup_until, webhook_setup_by, webhook_captured_at`;

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
    webhookSecretSource: row.webhook_secret_source,
    webhookSetupUntil: iso(row.webhook_setup_until),
    webhookSetupBy: row.webhook_setup_by,
    webhookCapturedAt: iso(row.webhook_captured_at),
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
  /** Env connections: the sealed seed they were made from (see engine/sync/env-seed.ts). */
  envSeedSealed?: string;
  /** Keep the stored status and last error (an env restart that changed no credential). */
  keepStatus?: boolean;
}

/** Creates the connection, or reconnects the one with the same kind and name (new credentials, status active). */
export async function upsertConnection(
  tx: Queryable,
  workspaceId: string,
  input: NewConnection,
): Promise<{ connection: ConnectionRecord; created: boolean }> {
  const result = await tx.query<ConnectionRow & { inserted: boolean }>(
    `INSERT INTO connections (workspace_id, person_id, kind, name, credentials_encrypted, settings, webhook_secret_encrypted,
       webhook_secret_source, sync_interval_minutes, env_seed_encrypted, settings_secret_encrypted)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, CASE WHEN $7::text IS NULL THEN NULL ELSE 'configured' END, $8, $9, $11)
     ON CONFLICT (workspace_id, kind, name) DO UPDATE SET
       credentials_encrypted = EXCLUDED.credentials_encrypted,
       settings = EXCLUDED.settings,
       settings_secret_encrypted = EXCLUDED.settings_secret_encrypted,
       webhook_secret_encrypted = coalesce(EXCLUDED.webhook_secret_encrypted, connections.webhook_secret_encrypted),
       webhook_secret_source = CASE WHEN EXCLUDED.webhook_secret_encrypted IS NULL
         THEN connections.webhook_secret_source ELSE 'configured' END,
       sync_interval_minutes = EXCLUDED.sync_interval_minutes,
       env_seed_encrypted = coalesce(EXCLUDED.env_seed_encrypted, connections.env_seed_encrypted),
       person_id = coalesce(connections.person_id, EXCLUDED.person_id),
       status = CASE WHEN $10::boolean THEN connections.status ELSE 'active' END,
       last_error = CASE WHEN $10::boolean THEN connections.last_error ELSE NULL END,
       updated_at = now()
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
      input.envSeedSealed ?? null,
      input.keepStatus === true,
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

/** The sealed env seed of a connection (null: never seeded from env, or seeded before seeds were kept). */
export async function envSeedOf(tx: Queryable, id: string): Promise<string | null> {
  const result = await tx.query<{ env_seed_encrypted: string | null }>(
    "SELECT env_seed_encrypted FROM connections WHERE id = $1",
    [id],
  );
  return result.rows[0]?.env_seed_encrypted ?? null;
}

/** Opens (or extends) an admin's webhook set-up window until `until`. */
export async function openWebhookSetup(
  tx: Queryable,
  id: string,
  personId: string,
  until: Date,
): Promise<void> {
  await tx.query(
    "UPDATE connections SET webhook_setup_until = $3, webhook_setup_by = $2, updated_at = now() WHERE id = $1",
    [id, personId, until.toISOString()],
  );
}

/**
 * Captures an unsigned verification token as the webhook secret, only while a set-up window is open at `now`
 * and only over no secret or an earlier unproven capture; never over a configured or verified one. The
 * capture closes the window.
 */
export async function captureWebhookToken(
  tx: Queryable,
  id: string,
  sealed: string,
  now: Date,
): Promise<boolean> {
  const result = await tx.query(
    `UPDATE connections SET webhook_secret_encrypted = $2, webhook_secret_source = 'captured',
       webhook_captured_at = $3, webhook_setup_until = NULL, updated_at = now()
     WHERE id = $1 AND webhook_setup_until > $3
       AND (webhook_secret_encrypted IS NULL OR webhook_secret_source = 'captured')`,
    [id, sealed, now.toISOString()],
  );
  return result.rowCount > 0;
}

/** A signed event matched a captured secret: it is verified and no handshake can replace it any more. */
export async function markWebhookVerified(tx: Queryable, id: string): Promise<void> {
  await tx.query(
    "UPDATE connections SET webhook_secret_source = 'verified', updated_at = now() WHERE id = $1 AND webhook_secret_source = 'captured'",
    [id],
  );
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
