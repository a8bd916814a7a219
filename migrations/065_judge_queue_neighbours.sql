-- The scoring screen's place in the judge's queue (issue 5's p95 bar). The query it replaces read
-- round_judges.queue (an array of ~13,600 entry ids at the seed's scale, 44 kB compressed) once
-- for each use: the planner flattened the subquery, so the array was decompressed and searched
-- four times, 1.7 ms per page on the server. A PL/pgSQL variable holds the array decompressed:
-- read once, searched once, 0.5 ms.
-- Same answers as before: no row when the judge is not on the round's panel.
CREATE FUNCTION judge_queue_neighbours(p_round bigint, p_judge bigint, p_entry bigint)
RETURNS TABLE (queue_position integer, total integer, prev_code text, next_code text)
LANGUAGE plpgsql STABLE AS $$
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
