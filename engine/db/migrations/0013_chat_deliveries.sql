-- Chat platforms deliver at least once: Slack retries an event (X-Slack-Retry-Num, same event_id) when Cairn
-- was slow or failed, Teams may resend an activity. The first process to record a delivery acts on it; every
-- other process, and every retry, sees the row and does nothing. Rows expire (Slack retries within minutes).
CREATE TABLE chat_deliveries (
  provider text NOT NULL,
  delivery_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (provider, delivery_id)
);
CREATE INDEX chat_deliveries_expiry ON chat_deliveries (expires_at);

-- Chat app installations in multi-workspace mode (Slack OAuth install): one row per installed team or
-- enterprise, the installation (bot and user tokens, refresh tokens, expiry) sealed under CAIRN_MASTER_KEY.
CREATE TABLE chat_installations (
  provider text NOT NULL,
  installation_key text NOT NULL,
  sealed text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, installation_key)
);

-- Neither table belongs to a workspace: only system transactions (the schema owner) read and write them.
ALTER TABLE chat_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY schema_owner ON chat_deliveries TO CURRENT_USER USING (true) WITH CHECK (true);
ALTER TABLE chat_installations ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_installations FORCE ROW LEVEL SECURITY;
CREATE POLICY schema_owner ON chat_installations TO CURRENT_USER USING (true) WITH CHECK (true);
