-- get_insights and the planner read one person's open and finished tasks page by page (status, then newest
-- first or soonest due first): these indexes serve those keyset pages without sorting the person's whole history.
CREATE INDEX tasks_person_status_created ON tasks (person_id, status, created_at DESC, id DESC);
CREATE INDEX tasks_person_status_due ON tasks (person_id, status, (coalesce(due, 'infinity'::timestamptz)), id);
