-- The vector index's build setting: ef_construction 40 instead of pgvector's default 64. Every new task pays
-- an HNSW insertion, most of a sync's database time; with 40 it costs about a third less, and search keeps
-- its measured recall (hybrid recall@10 0.987 at 100k tasks, against 0.977 for the search before issue 14
-- and 0.993 with 64; BENCHMARKS.md, "Sync", for the table and the commands). m stays 16: m 12 or 8 lost
-- more recall than they saved.
DROP INDEX IF EXISTS tasks_embedding;
CREATE INDEX tasks_embedding ON tasks USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 40);
