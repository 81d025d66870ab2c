-- Cairn's base schema. Every workspace-owned table has FORCE ROW LEVEL SECURITY: the app runs as
-- cairn_app (SET LOCAL ROLE in each transaction), which sees only rows of cairn.workspace_id.

CREATE EXTENSION IF NOT EXISTS vector;

-- A login role without CREATEROLE migrates too, once an admin created cairn_app (README, production).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cairn_app') THEN
    CREATE ROLE cairn_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
  EXECUTE format('GRANT cairn_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL; -- already a member, or a superuser who needs no grant
END $$;

CREATE OR REPLACE FUNCTION cairn_workspace() RETURNS uuid
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('cairn.workspace_id', true), '')::uuid $$;

CREATE TABLE workspaces (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  email text NOT NULL,
  name text NOT NULL,
  timezone text NOT NULL DEFAULT 'UTC',
  is_admin boolean NOT NULL DEFAULT false,
  working_hours jsonb,
  preferences jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email ON people (workspace_id, lower(email));

CREATE TABLE chat_identities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  platform text NOT NULL CHECK (platform IN ('slack', 'teams', 'mcp')),
  tenant text NOT NULL DEFAULT '',
  external_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, platform, tenant, external_id)
);

CREATE TABLE connections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid REFERENCES people (id) ON DELETE SET NULL,
  kind text NOT NULL,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect', 'error', 'disabled')),
  credentials_encrypted text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}',
  last_error text,
  last_synced_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, name)
);

CREATE TABLE tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid REFERENCES people (id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  description text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'cancelled')),
  priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
  estimate_minutes integer CHECK (estimate_minutes > 0),
  due timestamptz,
  earliest_start timestamptz,
  depends_on uuid[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  splittable boolean NOT NULL DEFAULT true,
  energy text NOT NULL DEFAULT 'medium' CHECK (energy IN ('low', 'medium', 'high')),
  source text NOT NULL DEFAULT 'cairn',
  external_id text,
  connection_id uuid REFERENCES connections (id) ON DELETE SET NULL,
  url text,
  completed_at timestamptz,
  source_deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  embedding vector(256),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B')
  ) STORED
);
CREATE UNIQUE INDEX tasks_source_external ON tasks (workspace_id, source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX tasks_workspace_status ON tasks (workspace_id, status, due);
CREATE INDEX tasks_person ON tasks (workspace_id, person_id);
CREATE INDEX tasks_search ON tasks USING gin (search);
CREATE INDEX tasks_tags ON tasks USING gin (tags);
CREATE INDEX tasks_embedding ON tasks USING hnsw (embedding vector_cosine_ops);

CREATE TABLE calendar_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid REFERENCES people (id) ON DELETE CASCADE,
  connection_id uuid REFERENCES connections (id) ON DELETE CASCADE,
  calendar_id text NOT NULL DEFAULT 'primary',
  external_id text NOT NULL,
  title text NOT NULL DEFAULT '',
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  all_day boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'tentative', 'cancelled')),
  busy boolean NOT NULL DEFAULT true,
  declined boolean NOT NULL DEFAULT false,
  recurring_event_id text,
  cairn_block_id uuid,
  source_updated_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_at >= start_at)
);
CREATE UNIQUE INDEX calendar_events_external
  ON calendar_events (workspace_id, coalesce(connection_id, '00000000-0000-0000-0000-000000000000'::uuid), calendar_id, external_id);
CREATE INDEX calendar_events_person_time ON calendar_events (workspace_id, person_id, start_at);

CREATE TABLE plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  version integer NOT NULL,
  trigger text NOT NULL,
  horizon_start timestamptz NOT NULL,
  horizon_end timestamptz NOT NULL,
  metrics jsonb NOT NULL DEFAULT '{}',
  unscheduled jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, person_id, version)
);

CREATE TABLE blocks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  task_id uuid REFERENCES tasks (id) ON DELETE CASCADE,
  plan_version integer NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'accepted', 'superseded', 'deleted', 'done')),
  kind text NOT NULL DEFAULT 'task' CHECK (kind IN ('task', 'focus')),
  explanation jsonb NOT NULL DEFAULT '{}',
  calendar_connection_id uuid REFERENCES connections (id) ON DELETE SET NULL,
  calendar_event_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (end_at > start_at)
);
CREATE INDEX blocks_person_time ON blocks (workspace_id, person_id, status, start_at);

-- Append-only log of what people and Cairn did; partitioned by month, with a default partition so an
-- insert never fails for want of one.
CREATE TABLE events (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  person_id uuid,
  task_id uuid,
  block_id uuid,
  type text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_person_time ON events (workspace_id, person_id, occurred_at);

CREATE OR REPLACE FUNCTION cairn_ensure_event_partition(month timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  start_at timestamptz := date_trunc('month', month);
  name text := 'events_' || to_char(start_at, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
      name, start_at, start_at + interval '1 month');
  END IF;
END $$;
SELECT cairn_ensure_event_partition(now() + make_interval(months => m)) FROM generate_series(-1, 2) AS m;

CREATE OR REPLACE FUNCTION cairn_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the event log is append-only';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION cairn_events_append_only();

CREATE TABLE user_states (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  computed_at timestamptz NOT NULL DEFAULT now(),
  state jsonb NOT NULL
);
CREATE INDEX user_states_person ON user_states (workspace_id, person_id, computed_at DESC);

CREATE TABLE nudges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  kind text NOT NULL,
  message text NOT NULL,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'acted', 'dismissed', 'cancelled')),
  scheduled_for timestamptz NOT NULL,
  sent_at timestamptz,
  acted_at timestamptz,
  payload jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_state (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
  scope text NOT NULL DEFAULT '',
  cursor text,
  details jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, scope)
);

CREATE TABLE audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  actor_person_id uuid,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  details jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_workspace_time ON audit_log (workspace_id, at DESC);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Tenant isolation on every workspace-owned table.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['people', 'chat_identities', 'connections', 'tasks', 'calendar_events', 'plans',
    'blocks', 'events', 'user_states', 'nudges', 'sync_state', 'audit_log', 'api_tokens']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO cairn_app
      USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace())', t);
    EXECUTE format('CREATE POLICY schema_owner ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO cairn_app', t);
  END LOOP;
END $$;

ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workspaces TO cairn_app USING (id = cairn_workspace()) WITH CHECK (id = cairn_workspace());
CREATE POLICY schema_owner ON workspaces TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, UPDATE ON workspaces TO cairn_app;

REVOKE UPDATE, DELETE ON events FROM cairn_app;
GRANT EXECUTE ON FUNCTION cairn_workspace() TO cairn_app;
