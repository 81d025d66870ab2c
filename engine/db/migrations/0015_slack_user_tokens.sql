-- Slack focus status, opt-in per person: the user token a person granted Cairn ("connect my Slack status",
-- user scopes users.profile:write and dnd:write), sealed under CAIRN_MASTER_KEY, and the focus block whose
-- status Cairn has set, if any (so a block that ends early clears it). Deleting the row is the opt-out.

CREATE TABLE slack_user_tokens (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  team_id text NOT NULL,
  slack_user_id text NOT NULL,
  sealed text NOT NULL,
  focus_block_id uuid,
  focus_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, person_id)
);

ALTER TABLE slack_user_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE slack_user_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON slack_user_tokens TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON slack_user_tokens TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON slack_user_tokens TO cairn_app;
