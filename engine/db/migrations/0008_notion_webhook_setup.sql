-- Webhook set-up windows: an unsigned verification token (Notion's subscription handshake) is captured only
-- while an admin has opened a window for that connection, and never replaces a configured or verified secret.
-- webhook_secret_source: 'configured' (given by env or connect_*), 'captured' (from a handshake, not yet proven
-- by a signed event), 'verified' (a signed event matched it).
ALTER TABLE connections ADD COLUMN webhook_secret_source text
  CHECK (webhook_secret_source IN ('configured', 'captured', 'verified'));
UPDATE connections SET webhook_secret_source = 'configured' WHERE webhook_secret_encrypted IS NOT NULL;
ALTER TABLE connections ADD COLUMN webhook_setup_until timestamptz;
ALTER TABLE connections ADD COLUMN webhook_setup_by uuid REFERENCES people (id) ON DELETE SET NULL;
ALTER TABLE connections ADD COLUMN webhook_captured_at timestamptz;

-- The values an env-configured connection was last seeded with (settings, credentials, webhook secret; sealed
-- like credentials), so that a restart applies only what changed in the environment and keeps what a person set.
ALTER TABLE connections ADD COLUMN env_seed_encrypted text;
