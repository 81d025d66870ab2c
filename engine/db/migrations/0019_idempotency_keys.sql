-- Idempotency-Key on POST /api/actions/:name: the first request with a key runs and its answer (status and
-- body) is kept for 24 hours; a retry with the same key and the same request gets that answer again and
-- changes nothing. Keys belong to one token (principal) in one workspace. A row is `running` from the moment
-- the first request claims the key until its answer is stored; a 5xx answer is not stored (the row goes).
-- The answer's body is sealed under CAIRN_MASTER_KEY: some answers carry secrets (a new API token).
CREATE TABLE idempotency_keys (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  principal text NOT NULL,
  key text NOT NULL,
  action text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'done')),
  response_status integer,
  response_body_sealed text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, principal, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON idempotency_keys TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO cairn_app;
