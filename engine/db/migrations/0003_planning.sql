-- Planning: windows people pin tasks to (reschedule_task), and the learned slot-preference state
-- (sufficient statistics of a Bayesian linear model per person, plus one pooled row per workspace).

CREATE TABLE planning_pins (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  phrase text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start),
  UNIQUE (workspace_id, task_id)
);
CREATE INDEX planning_pins_person ON planning_pins (workspace_id, person_id, window_end);

-- person_id NULL: the workspace's pooled (population) statistics.
CREATE TABLE slot_preference_state (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid REFERENCES people (id) ON DELETE CASCADE,
  feature_version integer NOT NULL,
  observations integer NOT NULL DEFAULT 0,
  -- Σ x xᵀ (row-major, d×d) and Σ x r, both as JSON number arrays.
  xtx jsonb NOT NULL,
  xtr jsonb NOT NULL,
  implicit_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX slot_preference_state_owner
  ON slot_preference_state (workspace_id, coalesce(person_id, '00000000-0000-0000-0000-000000000000'::uuid));

CREATE INDEX blocks_task_status ON blocks (workspace_id, task_id, status);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['planning_pins', 'slot_preference_state']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I TO cairn_app
      USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace())', t);
    EXECUTE format('CREATE POLICY schema_owner ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO cairn_app', t);
  END LOOP;
END $$;
