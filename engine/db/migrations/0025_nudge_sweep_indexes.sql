-- The nudge sweep reads per batch of people: the nudges still waiting to be sent (re-enqueued after a restart)
-- and each person's count for their local day (the daily cap). Without these, both scan every nudge the
-- workspace ever had, and that table grows by a few rows per person per day.
CREATE INDEX nudges_waiting ON nudges (workspace_id, scheduled_for) WHERE status IN ('scheduled', 'sending');
CREATE INDEX nudges_person_day ON nudges (workspace_id, person_id, local_date);
