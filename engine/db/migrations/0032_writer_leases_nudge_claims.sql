-- One calendar write-back at a time per person. Two runs of the same person's write-back on two workers could
-- interleave a delete and a move of the same event (one run deleting the event of a block a newer plan
-- superseded, the other moving it from what it read before), leaving an event on the calendar that no block
-- records. A run holds this lease while it writes and renews it; a lease not renewed for its time-to-live
-- belonged to a run whose worker died, and the next run takes it over.
CREATE TABLE block_writer_leases (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  holder uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, person_id)
);

ALTER TABLE block_writer_leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE block_writer_leases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON block_writer_leases TO cairn_app
  USING (workspace_id = cairn_workspace()) WITH CHECK (workspace_id = cairn_workspace());
CREATE POLICY schema_owner ON block_writer_leases TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON block_writer_leases TO cairn_app;

-- Which delivery job claimed a nudge. The queue runs a job again under the same id only when the run before it
-- is gone (its worker died and its lock expired), so that job takes its own claim over at once instead of
-- skipping the nudge until the claim's two-minute lease runs out.
ALTER TABLE nudges ADD COLUMN claimed_by text;
