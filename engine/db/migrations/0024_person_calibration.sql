-- Per-person effort calibration, learned online (engine/behavior/calibration.ts): each finished task adds one
-- sample, log(actual minutes / estimate), when both are known, and the person's running totals per tag ('' is
-- all their tasks) are updated in the same transaction, so planning, estimate_task and get_insights read a few
-- rows instead of recomputing from the whole history. person_calibration_samples remembers what each task
-- contributed (a NULL log_ratio: finished without an estimate or tracked time), for the completion it was
-- computed at: a task reopened, re-finished, reassigned or deleted has its old contribution taken back out.
-- No foreign key to tasks on purpose: a deleted task's sample must stay until it is subtracted.
CREATE TABLE person_calibration_samples (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  task_id uuid NOT NULL,
  completed_at timestamptz NOT NULL,
  log_ratio double precision,
  tags text[] NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, task_id)
);
CREATE INDEX person_calibration_samples_person ON person_calibration_samples (person_id, task_id, completed_at);

CREATE TABLE person_calibration (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  tag text NOT NULL,
  samples integer NOT NULL,
  sum_log double precision NOT NULL,
  sum_sq_log double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, person_id, tag)
);

-- What the person's finished tasks looked like when their samples were last reconciled (count, latest
-- completion, latest update): readers compare it with one aggregate instead of re-checking every task.
CREATE TABLE person_calibration_state (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  done_tasks integer NOT NULL,
  last_completed_at timestamptz,
  last_updated_at timestamptz,
  checked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, person_id)
);

-- The reconciliation's anti-join from the person's finished tasks to their samples.
CREATE INDEX tasks_person_done_completed ON tasks (person_id, completed_at) WHERE status = 'done';

ALTER TABLE person_calibration_samples ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_calibration_samples FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON person_calibration_samples TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON person_calibration_samples TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON person_calibration_samples TO cairn_app;

ALTER TABLE person_calibration ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_calibration FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON person_calibration TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON person_calibration TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON person_calibration TO cairn_app;

ALTER TABLE person_calibration_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_calibration_state FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON person_calibration_state TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON person_calibration_state TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON person_calibration_state TO cairn_app;
