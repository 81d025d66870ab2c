-- search_tasks' full-text side answered from the GIN index alone down to the id range, so the heap is read
-- only for the matches that get ranked. The walk of 0028 ANDs the GIN bitmap with a range scan of the primary
-- key (as many index entries as the range holds tasks) and sizes the range from an estimate that a probe of
-- pool + 1 matches in block order often has to make first: 1.5 to 2.5 × pool heap rows read per query.
--
-- Here every task's tsvector is indexed with two more lexemes naming its id's first hex digit and first two
-- hex digits (256 buckets of the uuid space, in id order). "id below bucket k" is then an OR of a few bucket
-- lexemes, which GIN intersects with the query's own lexemes: the heap sees only matches. The ranges read are
-- disjoint (a wider range excludes the one read before), so widening a range that held too few matches reads
-- only the new buckets' matches.
-- Same answer as 0023 and 0028: the `pool` matches with the lowest ids, ranked by ts_rank_cd, ties by id.
--
-- The bucket lexemes start with a space, which the text search parser never puts in a lexeme: no query a
-- user types matches them, and `@@` on the bucketed tsvector answers exactly as on `search`.
CREATE OR REPLACE FUNCTION cairn_task_search_bucketed(search tsvector, id uuid) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT search || array_to_tsvector(ARRAY[' ' || left(id::text, 1), ' ' || left(id::text, 2)])
$$;

CREATE INDEX tasks_search_buckets ON tasks USING gin (cairn_task_search_bucketed(search, id));

-- The tasks whose bucket is below hi (0 < hi < 256) as a tsquery, with as few lexemes as it takes (at most
-- 15; 8 on a group boundary): whole groups of 16 by their one-digit lexeme, and the complement's when shorter
-- (GIN pays for every lexeme a query names).
CREATE OR REPLACE FUNCTION cairn_task_buckets_below(hi integer) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  direct text[] := '{}';
  complement text[] := '{}';
BEGIN
  FOR g IN 0 .. hi / 16 - 1 LOOP
    direct := direct || format('%L', ' ' || to_hex(g));
  END LOOP;
  FOR b IN hi / 16 * 16 .. hi - 1 LOOP
    direct := direct || format('%L', ' ' || lpad(to_hex(b), 2, '0'));
  END LOOP;
  FOR b IN hi .. (hi + 15) / 16 * 16 - 1 LOOP
    complement := complement || format('%L', ' ' || lpad(to_hex(b), 2, '0'));
  END LOOP;
  FOR g IN (hi + 15) / 16 .. 15 LOOP
    complement := complement || format('%L', ' ' || to_hex(g));
  END LOOP;
  IF cardinality(direct) <= cardinality(complement) THEN
    RETURN array_to_string(direct, ' | ')::tsquery;
  END IF;
  RETURN !! array_to_string(complement, ' | ')::tsquery;
END
$$;

-- Runs as the schema owner and applies the tenant filter itself, as 0023 and 0028 do: under row-level
-- security `@@` (not leakproof) would not reach the GIN index.
CREATE OR REPLACE FUNCTION cairn_task_text_buckets(
  query text, statuses text[], person uuid, include_source_deleted boolean, pool integer, depth integer
) RETURNS TABLE (id uuid, rank real)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  q tsquery := websearch_to_tsquery('english', query);
  ws uuid := cairn_workspace();
  filters text := 't.workspace_id = $1'
    || ' AND ($3::text[] IS NULL OR t.status = ANY ($3)) AND ($4::uuid IS NULL OR t.person_id = $4)'
    || ' AND ($5 OR t.source_deleted_at IS NULL)';
  ranked text := 'SELECT array_agg(t.id), array_agg(ts_rank_cd(t.search, $2)) FROM (SELECT t.id, t.search'
    || ' FROM tasks t WHERE ' || filters || ' AND cairn_task_search_bucketed(t.search, t.id) @@ $6';
  ids uuid[] := '{}';
  ranks real[] := '{}';
  found_ids uuid[];
  found_ranks real[];
  elems text[];
  freqs real[];
  total float8;
  most float8;
  expected float8;
  lo integer := 0;
  hi integer := 16;
  ranged tsquery;
BEGIN
  IF ws IS NULL OR q IS NULL OR numnode(q) = 0 OR pool < 1 OR depth < 1 THEN
    RETURN;
  END IF;
  -- An AND (or phrase) of plain lexemes matches at most as many tasks as its rarest lexeme does (column
  -- statistics), and about the product of their frequencies if the words were independent.
  IF regexp_replace(q::text, '''(?:[^'']|'''')*''', '', 'g') ~ '^(\s|&|<(-|\d+)>)*$' THEN
    SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs INTO elems, freqs
    FROM pg_stats s WHERE s.schemaname = 'public' AND s.tablename = 'tasks' AND s.attname = 'search';
    SELECT c.reltuples INTO total FROM pg_class c WHERE c.oid = 'tasks'::regclass;
    IF elems IS NOT NULL AND total > 0 THEN
      -- A lexeme the statistics did not keep is rarer than the least frequent one they kept.
      SELECT min(f) * total, exp(sum(ln(greatest(f, 1e-9)))) * total INTO most, expected
      FROM (
        SELECT coalesce(freqs[array_position(elems, replace(m[1], '''''', ''''))], freqs[cardinality(elems) + 1]) AS f
        FROM regexp_matches(q::text, '''((?:[^'']|'''')*)''', 'g') AS m
      ) l;
    END IF;
  END IF;
  IF most IS NOT NULL THEN
    -- Likely fewer matches than the pool: read them all at once, up to pool + 1 (then there are more).
    IF expected < pool / 8.0 THEN
      EXECUTE ranked || ' LIMIT $7) t' INTO found_ids, found_ranks
        USING ws, q, statuses, person, include_source_deleted, q, pool + 1;
      IF coalesce(cardinality(found_ids), 0) <= pool THEN
        ids := coalesce(found_ids, '{}');
        ranks := coalesce(found_ranks, '{}');
        most := NULL;
        hi := 0;
      END IF;
    END IF;
    -- The first range is sized from the upper bound, so it is never wider than needed.
    IF most IS NOT NULL THEN
      hi := least(256, greatest(1, ceil(256 * 1.2 * pool / greatest(most, 1))::integer));
    END IF;
  END IF;
  -- Other queries start with 1/16 of the id space; later ranges are sized from the density of matches seen.
  WHILE hi > 0 LOOP
    -- Past the first group a range ends on a group boundary: few, large bucket lexemes keep GIN's scan
    -- driven by the query's own (rarer) lexemes, where many small ones would each be merged in.
    IF hi > 16 THEN
      hi := least(256, (hi + 15) / 16 * 16);
    END IF;
    ranged := q;
    IF hi < 256 THEN
      ranged := ranged && cairn_task_buckets_below(hi);
    END IF;
    IF lo > 0 THEN
      ranged := ranged && !! cairn_task_buckets_below(lo);
    END IF;
    EXECUTE ranked || ') t' INTO found_ids, found_ranks
      USING ws, q, statuses, person, include_source_deleted, ranged;
    ids := ids || coalesce(found_ids, '{}');
    ranks := ranks || coalesce(found_ranks, '{}');
    EXIT WHEN hi >= 256 OR cardinality(ids) >= pool;
    -- Buckets hold matches about evenly (random uuids): aim at 1.2 × pool from the density seen so far.
    lo := hi;
    hi := least(256, greatest(hi + 1, ceil(hi * 1.2 * pool / greatest(cardinality(ids), 1))::integer));
    -- Every match after a few: reading the few again costs less than GIN excluding the range they came from.
    IF hi = 256 AND cardinality(ids) < pool / 4 THEN
      lo := 0;
      ids := '{}';
      ranks := '{}';
    END IF;
  END LOOP;
  RETURN QUERY
    SELECT p.id, p.rank FROM (
      SELECT u.id, u.rank FROM unnest(ids, ranks) AS u(id, rank) ORDER BY u.id LIMIT pool
    ) p ORDER BY p.rank DESC, p.id LIMIT depth;
END
$$;
REVOKE ALL ON FUNCTION cairn_task_text_buckets(text, text[], uuid, boolean, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cairn_task_text_buckets(text, text[], uuid, boolean, integer, integer) TO cairn_app;

-- search_tasks' vector side in one round trip: the HNSW probe with its ef_search. Runs as the caller, so it
-- goes through the tenant policy (HNSW still serves the ORDER BY under it: ordering is not a qual).
CREATE OR REPLACE FUNCTION cairn_task_vector_candidates(
  near vector, statuses text[], person uuid, include_source_deleted boolean, depth integer, ef_search integer
) RETURNS TABLE (id uuid, distance float8)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM set_config('hnsw.ef_search', greatest(ef_search, depth)::text, true);
  RETURN QUERY
    SELECT t.id, t.embedding <=> near FROM tasks t
    WHERE t.embedding IS NOT NULL AND (statuses IS NULL OR t.status = ANY (statuses))
      AND (person IS NULL OR t.person_id = person) AND (include_source_deleted OR t.source_deleted_at IS NULL)
    ORDER BY t.embedding <=> near LIMIT depth;
END
$$;

-- Both sides in one round trip as cairn_task_search_candidates (0028) does, with the bucketed text side.
CREATE OR REPLACE FUNCTION cairn_task_search_buckets(
  query text, near vector, statuses text[], person uuid, include_source_deleted boolean,
  pool integer, depth integer, ef_search integer
) RETURNS TABLE (side text, id uuid, distance float8)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN QUERY
    SELECT 'text', w.id, NULL::float8
    FROM cairn_task_text_buckets(query, statuses, person, include_source_deleted, pool, depth) w;
  IF near IS NOT NULL THEN
    RETURN QUERY
      SELECT 'vector', v.id, v.distance
      FROM cairn_task_vector_candidates(near, statuses, person, include_source_deleted, depth, ef_search) v;
  END IF;
END
$$;
