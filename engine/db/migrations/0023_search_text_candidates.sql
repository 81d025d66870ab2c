-- search_tasks' full-text side, index-backed under row-level security.
-- `@@` is not leakproof, so for cairn_app the planner may not push it into the GIN index behind the tenant
-- policy and scans every row of the table instead. This function runs as the schema owner (whose policy
-- admits all rows) and applies the tenant filter itself from the same cairn.workspace_id setting, so the GIN
-- index on `search` answers the match. Ranking is bounded: ts_rank_cd sees only the `pool` matches with the
-- lowest ids. Equal ranks are ordered by id, so for the common case of a word every match shares (all tie)
-- the answer is the exact one.
CREATE OR REPLACE FUNCTION cairn_task_text_candidates(
  query text, statuses text[], person uuid, include_source_deleted boolean, pool integer, depth integer
) RETURNS TABLE (id uuid, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH tsq AS (SELECT websearch_to_tsquery('english', query) AS q),
  matches AS MATERIALIZED (
    SELECT t.id, t.search FROM tasks t, tsq
    WHERE t.workspace_id = cairn_workspace() AND t.search @@ tsq.q
      AND (statuses IS NULL OR t.status = ANY (statuses))
      AND (person IS NULL OR t.person_id = person)
      AND (include_source_deleted OR t.source_deleted_at IS NULL)
  ),
  pooled AS (SELECT m.id, m.search FROM matches m ORDER BY m.id LIMIT pool)
  SELECT p.id, ts_rank_cd(p.search, tsq.q) AS rank FROM pooled p, tsq ORDER BY 2 DESC, 1 LIMIT depth
$$;
REVOKE ALL ON FUNCTION cairn_task_text_candidates(text, text[], uuid, boolean, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cairn_task_text_candidates(text, text[], uuid, boolean, integer, integer) TO cairn_app;
