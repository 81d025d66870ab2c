-- Microsoft Teams conversation references, one per person: where the bot can reach them proactively (their
-- personal chat with Cairn). Written when they message the bot; read by the Teams Messenger.

CREATE TABLE teams_conversations (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  conversation_id text NOT NULL,
  reference jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, person_id)
);

ALTER TABLE teams_conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE teams_conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON teams_conversations TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON teams_conversations TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON teams_conversations TO cairn_app;
