-- Sync bookkeeping: which source items each task comes from (a task can have several: the same work in
-- Notion and Jira), per-connection webhook secrets and sync interval, push channels (Google events.watch),
-- and the columns a full resync needs to tell what it did not see again.

ALTER TABLE connections ADD COLUMN webhook_secret_encrypted text;
ALTER TABLE connections ADD COLUMN sync_interval_minutes integer NOT NULL DEFAULT 10 CHECK (sync_interval_minutes >= 0);

CREATE TABLE task_sources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  source text NOT NULL,
  scope text NOT NULL DEFAULT '',
  external_id text NOT NULL,
  url text,
  linked_urls text[] NOT NULL DEFAULT '{}',
  depends_on_external text[] NOT NULL DEFAULT '{}',
  content_hash text,
  source_updated_at timestamptz,
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  completion_written_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, connection_id, external_id)
);
CREATE INDEX task_sources_task ON task_sources (workspace_id, task_id);
CREATE INDEX task_sources_seen ON task_sources (connection_id, scope, last_seen_at);
CREATE INDEX task_sources_url ON task_sources (workspace_id, url) WHERE url IS NOT NULL;
CREATE INDEX task_sources_linked_urls ON task_sources USING gin (linked_urls);

ALTER TABLE calendar_events ADD COLUMN scope text NOT NULL DEFAULT '';
ALTER TABLE calendar_events ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE calendar_events ADD COLUMN content_hash text;
CREATE INDEX calendar_events_scope_seen ON calendar_events (connection_id, scope, last_seen_at);

CREATE TABLE webhook_channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  channel_id text NOT NULL UNIQUE,
  scope text NOT NULL,
  resource_id text,
  token_encrypted text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_channels_connection ON webhook_channels (connection_id);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['task_sources', 'webhook_channels']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO cairn_app
      USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace())', t);
    EXECUTE format('CREATE POLICY schema_owner ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO cairn_app', t);
  END LOOP;
END $$;
