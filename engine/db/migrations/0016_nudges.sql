-- Coaching nudges (engine/nudges): one row per nudge, decided by the evaluator and sent by a delayed job.
-- A nudge's id is derived from (workspace, person, dedupe key), so the same trigger for the same subject on the
-- same day is one row however often, and by however many workers, it is evaluated. Sending claims the row
-- (status scheduled → sending) before the message goes out, so two jobs for one nudge send it once.

ALTER TABLE nudges ADD COLUMN dedupe_key text;
UPDATE nudges SET dedupe_key = id::text WHERE dedupe_key IS NULL;
ALTER TABLE nudges ALTER COLUMN dedupe_key SET NOT NULL;
CREATE UNIQUE INDEX nudges_dedupe ON nudges (workspace_id, person_id, dedupe_key);

ALTER TABLE nudges ADD COLUMN task_id uuid REFERENCES tasks (id) ON DELETE SET NULL;
ALTER TABLE nudges ADD COLUMN block_id uuid REFERENCES blocks (id) ON DELETE SET NULL;
-- The person's local date the nudge belongs to (their daily cap counts per local day).
ALTER TABLE nudges ADD COLUMN local_date date;
-- The local hour it was scheduled for: the arm of the pooled send-time bandit.
ALTER TABLE nudges ADD COLUMN send_hour smallint CHECK (send_hour BETWEEN 0 AND 23);
ALTER TABLE nudges ADD COLUMN expires_at timestamptz;
ALTER TABLE nudges ADD COLUMN claimed_at timestamptz;
ALTER TABLE nudges ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE nudges ADD COLUMN last_error text;
ALTER TABLE nudges ADD COLUMN channel text;
ALTER TABLE nudges ADD COLUMN answer text CHECK (answer IN ('done', 'snooze', 'reschedule', 'skip'));
ALTER TABLE nudges ADD COLUMN snooze_count integer NOT NULL DEFAULT 0;
ALTER TABLE nudges ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE nudges DROP CONSTRAINT nudges_status_check;
ALTER TABLE nudges ADD CONSTRAINT nudges_status_check
  CHECK (status IN ('scheduled', 'sending', 'sent', 'acted', 'dismissed', 'cancelled', 'failed'));

CREATE INDEX nudges_person_time ON nudges (workspace_id, person_id, scheduled_for DESC, id);
CREATE INDEX nudges_send_hour ON nudges (workspace_id, send_hour) WHERE sent_at IS NOT NULL;
