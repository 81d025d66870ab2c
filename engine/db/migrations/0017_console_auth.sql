-- The admin console's sign-in. A console user is a person with a password (scrypt, per-user salt) and,
-- for the workspace's owners, the owner flag (admin and member come from people.is_admin). Sessions are
-- stored by the SHA-256 of their cookie value, never the value itself, with an idle and an absolute expiry.
-- Failed sign-ins are counted per email and address (a hash of both) for the lockout.

CREATE TABLE console_users (
  person_id uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  password_hash text,
  is_owner boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_users_owners ON console_users (workspace_id) WHERE is_owner;

CREATE TABLE console_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX console_sessions_person ON console_sessions (workspace_id, person_id);

CREATE TABLE console_login_failures (
  key_hash text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_login_failures_key ON console_login_failures (key_hash, failed_at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['console_users', 'console_sessions']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO cairn_app
      USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace())', t);
    EXECUTE format('CREATE POLICY schema_owner ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO cairn_app', t);
  END LOOP;
END $$;

-- Not a workspace's: only system transactions (the schema owner) read and write it.
ALTER TABLE console_login_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE console_login_failures FORCE ROW LEVEL SECURITY;
CREATE POLICY schema_owner ON console_login_failures TO CURRENT_USER USING (true) WITH CHECK (true);

-- API tokens made in the console (create_token) may carry an expiry; past it they are refused like revoked ones.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
