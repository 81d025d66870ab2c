-- search_tasks' full-text side with work bounded by the pool, not by how common the words are.
-- cairn_task_text_candidates (0023) ranks the `pool` matches with the lowest ids, but to find them it reads
-- every match from the heap (a common word in a 100k-task workspace: 11k rows on 8k pages). This function
-- gives the same answer (the lowest-id `pool` matches, ranked by ts_rank_cd, ties by id) while reading about
-- 1.5 to 2.5 × pool rows. Ids are random uuids, so the matches below an id bound are an even sample of them;
-- the bound is set to hold about 1.5 × pool matches, and the GIN bitmap is ANDed with the primary key's range:
--   * an AND of lexemes the column statistics expect in at least `pool` tasks: the bound comes from the
--     rarest lexeme's frequency (an upper bound on the matches), so one range usually suffices;
--   * otherwise a probe takes up to pool + 1 matches in physical order. At most pool: that is every match,
--     ranked exactly. More: the block the probe stopped at estimates how many there are, and sets the bound.
-- Too few matches below a bound (an estimate too high): it widens from the density seen, up to no bound.
-- Same security as 0023: runs as the schema owner and applies the tenant filter itself, so the GIN index
-- answers `@@` under row-level security.
CREATE OR REPLACE FUNCTION cairn_task_text_walk(
  query text, statuses text[], person uuid, include_source_deleted boolean, pool integer, depth integer
) RETURNS TABLE (id uuid, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
-- The probe's estimate needs a scan in block order from block 0: a (synchronized) seq scan may start mid-table.
SET enable_seqscan = off AS $$
DECLARE
  q tsquery := websearch_to_tsquery('english', query);
  ws uuid := cairn_workspace();
  -- The tenant and the caller's filters; the match itself ($2) is added per statement.
  filters text := 't.workspace_id = $1'
    || ' AND ($3::text[] IS NULL OR t.status = ANY ($3)) AND ($4::uuid IS NULL OR t.person_id = $4)'
    || ' AND ($5 OR t.source_deleted_at IS NULL)';
  ids uuid[];
  ranks real[];
  last_block bigint;
  pages bigint;
  fraction float8;
  bound uuid;
  elems text[];
  freqs real[];
  total float8;
  rarest float8;
  rarest_lexeme tsquery;
  expected float8;
BEGIN
  IF ws IS NULL OR q IS NULL OR numnode(q) = 0 OR pool < 1 OR depth < 1 THEN
    RETURN;
  END IF;
  -- An AND of plain lexemes (no OR, NOT, phrase, prefix or weight) is estimated from the column statistics.
  IF regexp_replace(q::text, '''(?:[^'']|'''')*''', '', 'g') ~ '^[ &]*$' THEN
    SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs INTO elems, freqs
    FROM pg_stats s WHERE s.schemaname = 'public' AND s.tablename = 'tasks' AND s.attname = 'search';
    SELECT c.reltuples INTO total FROM pg_class c WHERE c.oid = 'tasks'::regclass;
    IF elems IS NOT NULL AND total > 0 THEN
      -- A lexeme the statistics did not keep is rarer than the least frequent one they kept.
      WITH lexeme AS (
        SELECT m[1] AS quoted, coalesce(freqs[array_position(elems, replace(m[1], '''''', ''''))],
                                        freqs[cardinality(elems) + 1]) AS f
        FROM regexp_matches(q::text, '''((?:[^'']|'''')*)''', 'g') AS m
      )
      SELECT l.f, ('''' || l.quoted || '''')::tsquery, (SELECT exp(sum(ln(greatest(f, 1e-9)))) FROM lexeme)
        INTO rarest, rarest_lexeme, expected
      FROM lexeme l ORDER BY l.f LIMIT 1;
      -- Expected matches assume independent lexemes, as the planner does: "at least pool" is then likely.
      IF expected * total >= pool THEN
        fraction := 1.5 * pool / (rarest * total);
      END IF;
    END IF;
  END IF;
  IF fraction IS NULL THEN
    EXECUTE 'SELECT array_agg(m.id), array_agg(m.rank), max(m.blk) FROM (
        SELECT t.id, ts_rank_cd(t.search, $2) AS rank, (t.ctid::text::point)[0]::bigint AS blk
        FROM tasks t WHERE ' || filters || ' AND t.search @@ $2 LIMIT $6) m'
      INTO ids, ranks, last_block
      USING ws, q, statuses, person, include_source_deleted, pool + 1;
    IF coalesce(cardinality(ids), 0) > pool THEN
      pages := greatest(pg_relation_size('tasks') / current_setting('block_size')::bigint, 1);
      -- Matches ≈ (pool + 1) × pages / blocks read; the bound aims at 1.5 × pool of them.
      fraction := 1.5 * pool * (last_block + 1) / ((pool + 1)::float8 * pages);
    END IF;
  END IF;
  IF fraction IS NOT NULL THEN
    LOOP
      IF fraction >= 1 THEN
        bound := NULL;
      ELSE
        bound := (lpad(to_hex(least((fraction * 4294967296)::bigint, 4294967295)), 8, '0')
                  || '-0000-0000-0000-000000000000')::uuid;
      END IF;
      -- With an id bound, the GIN index is asked for the rarest lexeme alone and the whole query is checked
      -- on the rows found (ts_match_vq is `@@` without the index): the planner estimates one lexeme well (an
      -- AND of correlated words it underestimates), so it weighs ANDing that bitmap with the primary key's
      -- range against reading every match with the estimate it should.
      EXECUTE 'SELECT array_agg(t.id), array_agg(ts_rank_cd(t.search, $2)) FROM tasks t WHERE ' || filters
          || CASE WHEN bound IS NULL OR rarest_lexeme IS NULL THEN ' AND t.search @@ $2'
                  ELSE ' AND t.search @@ $7 AND ts_match_vq(t.search, $2)' END
          || CASE WHEN bound IS NULL THEN '' ELSE ' AND t.id < $6' END
        INTO ids, ranks
        USING ws, q, statuses, person, include_source_deleted, bound, rarest_lexeme;
      EXIT WHEN bound IS NULL OR coalesce(cardinality(ids), 0) >= pool;
      fraction := least(1, fraction * greatest(2, 1.5 * pool / greatest(coalesce(cardinality(ids), 0), 1)));
    END LOOP;
  END IF;
  RETURN QUERY
    SELECT p.id, p.rank FROM (
      SELECT u.id, u.rank FROM unnest(ids, ranks) AS u(id, rank) ORDER BY u.id LIMIT pool
    ) p ORDER BY p.rank DESC, p.id LIMIT depth;
END
$$;
REVOKE ALL ON FUNCTION cairn_task_text_walk(text, text[], uuid, boolean, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cairn_task_text_walk(text, text[], uuid, boolean, integer, integer) TO cairn_app;

-- search_tasks' candidates in one round trip instead of three: the full-text walk, then the HNSW probe with
-- its ef_search, each row tagged with its side, in rank order within a side. Runs as the caller, so the vector
-- side goes through the tenant policy (HNSW still serves the ORDER BY under it: ordering is not a qual).
CREATE OR REPLACE FUNCTION cairn_task_search_candidates(
  query text, near vector, statuses text[], person uuid, include_source_deleted boolean,
  pool integer, depth integer, ef_search integer
) RETURNS TABLE (side text, id uuid, distance float8)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN QUERY
    SELECT 'text', w.id, NULL::float8
    FROM cairn_task_text_walk(query, statuses, person, include_source_deleted, pool, depth) w;
  IF near IS NOT NULL THEN
    PERFORM set_config('hnsw.ef_search', greatest(ef_search, depth)::text, true);
    RETURN QUERY
      SELECT 'vector', t.id, t.embedding <=> near FROM tasks t
      WHERE t.embedding IS NOT NULL AND (statuses IS NULL OR t.status = ANY (statuses))
        AND (person IS NULL OR t.person_id = person) AND (include_source_deleted OR t.source_deleted_at IS NULL)
      ORDER BY t.embedding <=> near LIMIT depth;
  END IF;
END
$$;
