-- The scoring screen's two costly queries (issue 5's p95 bar), measured on the server at the
-- seed's scale: together 3.5 ms of a page whose other queries take 0.5 ms.

-- Both return at most one row and say so (ROWS 1): with the default guess of 1,000 rows, a query
-- joining them to scoresheets was planned as a hash join over every scoresheet (8 pages a second).

-- 1. The screen's entry and round: a join of six tables, 0.1 ms to run and 1.8 ms to plan, planned
-- at every page (more in the embedded engine). In a PL/pgSQL function the plan is made once per
-- database session. Same rows as the query it replaces: nothing unless the round is open or
-- closed, the judge sits on its panel and the entry is assigned to the judge.
CREATE FUNCTION judge_round_entry(p_round bigint, p_judge bigint, p_code text)
RETURNS TABLE (assignment_id bigint, entry_id bigint, code text, title text, description text, category text, video_id text,
               video_file_id bigint, entrant_display_name text, entrant_organisation text, entrant_province text, tiktok_url text,
               round jsonb)
LANGUAGE plpgsql STABLE ROWS 1 AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT a.id, e.id, e.code, e.title, e.description, cat.name, e.video_id, e.video_file_id,
         coalesce(en.display_name, en.full_name), en.organisation, en.province, e.canonical_url, to_jsonb(r)
    FROM rounds r
    JOIN round_judges rj ON rj.round_id = r.id AND rj.judge_id = p_judge
    JOIN entries e ON e.contest_id = r.contest_id AND e.code = p_code
    JOIN assignments a ON a.entry_id = e.id AND a.round_id = r.id AND a.judge_id = p_judge
    JOIN entrants en ON en.id = e.entrant_id
    LEFT JOIN categories cat ON cat.id = e.category_id
   WHERE r.id = p_round AND r.state IN ('open', 'closed');
END
$$;

-- 2. The place in the judge's queue. The query it replaces read
-- round_judges.queue (an array of ~13,600 entry ids at the seed's scale, 44 kB compressed) once
-- for each use: the planner flattened the subquery, so the array was decompressed and searched
-- four times, 1.7 ms per page on the server. A PL/pgSQL variable holds the array decompressed:
-- read once, searched once, 0.5 ms.
-- Same answers as before: no row when the judge is not on the round's panel.
CREATE FUNCTION judge_queue_neighbours(p_round bigint, p_judge bigint, p_entry bigint)
RETURNS TABLE (queue_position integer, total integer, prev_code text, next_code text)
LANGUAGE plpgsql STABLE ROWS 1 AS $$
DECLARE
  q bigint[];
BEGIN
  SELECT queue INTO q FROM round_judges WHERE round_id = p_round AND judge_id = p_judge;
  IF NOT FOUND THEN RETURN; END IF;
  queue_position := array_position(q, p_entry);
  total := cardinality(q);
  IF queue_position IS NOT NULL THEN
    SELECT e.code INTO prev_code FROM entries e WHERE e.id = q[queue_position - 1];
    SELECT e.code INTO next_code FROM entries e WHERE e.id = q[queue_position + 1];
  END IF;
  RETURN NEXT;
END
$$;
