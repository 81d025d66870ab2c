-- list_tasks orders by due date with undated tasks last; this index serves that order (and its keyset pages).
CREATE INDEX tasks_due_order ON tasks (workspace_id, (coalesce(due, 'infinity'::timestamptz)), id);
