-- Subtasks: a task may have a parent task in the same workspace (the composite key keeps a parent from being
-- another workspace's task). Deleting a parent is decided by delete_task (it refuses, or deletes the subtree
-- with cascade); the foreign key only stops a stray DELETE from leaving orphans. task_sources keeps the
-- source's own parent id (Jira sub-task's parent key, Notion "Parent item") so a sync can resolve it.

ALTER TABLE tasks ADD CONSTRAINT tasks_workspace_id_key UNIQUE (workspace_id, id);
ALTER TABLE tasks ADD COLUMN parent_id uuid;
ALTER TABLE tasks ADD CONSTRAINT tasks_parent_fk FOREIGN KEY (workspace_id, parent_id)
  REFERENCES tasks (workspace_id, id) ON DELETE CASCADE;
ALTER TABLE tasks ADD CONSTRAINT tasks_parent_not_self CHECK (parent_id IS NULL OR parent_id <> id);
CREATE INDEX tasks_parent ON tasks (workspace_id, parent_id) WHERE parent_id IS NOT NULL;

ALTER TABLE task_sources ADD COLUMN parent_external text;
-- Items synced before this migration have no parent_external yet: the next sync rewrites each one once.
UPDATE task_sources SET content_hash = NULL;
