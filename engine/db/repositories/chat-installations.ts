/**
 * Chat app installations (Slack OAuth installs): opaque JSON sealed by the caller with the engine's secret box,
 * keyed by provider and installation (a Slack team or enterprise id). System transactions only.
 */
import type { Queryable } from "../port.ts";

export async function saveChatInstallation(
  tx: Queryable,
  installation: { provider: string; key: string; sealed: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO chat_installations (provider, installation_key, sealed)
     VALUES ($1, $2, $3)
     ON CONFLICT (provider, installation_key) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()`,
    [installation.provider, installation.key, installation.sealed],
  );
}

export async function readChatInstallation(
  tx: Queryable,
  provider: string,
  key: string,
): Promise<string | undefined> {
  const { rows } = await tx.query<{ sealed: string }>(
    "SELECT sealed FROM chat_installations WHERE provider = $1 AND installation_key = $2",
    [provider, key],
  );
  return rows[0]?.sealed;
}

export async function deleteChatInstallation(tx: Queryable, provider: string, key: string): Promise<void> {
  await tx.query("DELETE FROM chat_installations WHERE provider = $1 AND installation_key = $2", [
    provider,
    key,
  ]);
}

/** Every installation of a provider (sealed), for finding the one a workspace is served by. */
export async function listChatInstallations(tx: Queryable, provider: string): Promise<string[]> {
  const { rows } = await tx.query<{ sealed: string }>(
    "SELECT sealed FROM chat_installations WHERE provider = $1 ORDER BY installed_at",
    [provider],
  );
  return rows.map((row) => row.sealed);
}
