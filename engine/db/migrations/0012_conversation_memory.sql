-- Short multi-turn chat memory ("move it to tomorrow", "2" after a which-one question, "snooze 30"), per
-- conversation (a Slack DM or thread, a Teams chat, a terminal session). Rows expire; a second web process or a
-- restart reads the same thread.

CREATE TABLE conversation_memory (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  conversation_key text NOT NULL,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  state jsonb NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, conversation_key, person_id)
);
CREATE INDEX conversation_memory_expiry ON conversation_memory (workspace_id, expires_at);

ALTER TABLE conversation_memory ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversation_memory FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversation_memory TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON conversation_memory TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON conversation_memory TO cairn_app;
