-- Smart tags: which of a task's tags Cairn applied as suggestions (create_task without tags) rather than a
-- person chose. A subset of tags; setting tags (update_task) confirms them and empties it. Neighbours'
-- suggested tags do not vote in later suggestions, so one guess does not reinforce itself. tasks keeps its RLS.

ALTER TABLE tasks ADD COLUMN suggested_tags text[] NOT NULL DEFAULT '{}';
