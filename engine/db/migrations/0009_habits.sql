-- Habits: flexible routines ("lunch 12:00-14:00, 30-60 min, Mon-Fri") the planner defends like tasks.
-- Their blocks live in `blocks` with kind 'habit' and habit_id set.

CREATE TABLE habits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  title text NOT NULL,
  days text[] NOT NULL CHECK (cardinality(days) > 0 AND days <@ ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  window_start text NOT NULL,
  window_end text NOT NULL,
  min_minutes integer NOT NULL CHECK (min_minutes > 0),
  max_minutes integer NOT NULL,
  times_per_week integer CHECK (times_per_week BETWEEN 1 AND 7),
  priority integer NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
  outside_working_hours boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (max_minutes >= min_minutes),
  CHECK (window_end > window_start)
);
CREATE INDEX habits_person ON habits (workspace_id, person_id, created_at);

-- A deleted habit's blocks stay (as 'deleted') so the calendar write-back can remove their events.
ALTER TABLE blocks ADD COLUMN habit_id uuid REFERENCES habits (id) ON DELETE SET NULL;
ALTER TABLE blocks DROP CONSTRAINT blocks_kind_check;
ALTER TABLE blocks ADD CONSTRAINT blocks_kind_check CHECK (kind IN ('task', 'focus', 'habit'));

ALTER TABLE habits ENABLE ROW LEVEL SECURITY;
ALTER TABLE habits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON habits TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON habits TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON habits TO cairn_app;
