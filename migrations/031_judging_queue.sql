-- Each judge's queue in a round, kept as the ordered array of their assigned entry ids, so the
-- scoring screen finds "12 / 45" and the previous/next entries without counting thousands of
-- rows on every request. Statement-level triggers keep it in step with assignments, however
-- they are written (the assignment function, a move, a conflict, a bulk insert).
ALTER TABLE round_judges ADD COLUMN queue bigint[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE FUNCTION judging_refresh_queues(p_pairs bigint[][]) RETURNS void
LANGUAGE sql AS $$
  UPDATE round_judges rj
     SET queue = coalesce((SELECT array_agg(a.entry_id ORDER BY a.entry_id) FROM assignments a
                            WHERE a.round_id = rj.round_id AND a.judge_id = rj.judge_id), '{}')
   WHERE EXISTS (SELECT 1 FROM generate_subscripts(p_pairs, 1) i WHERE p_pairs[i][1] = rj.round_id AND p_pairs[i][2] = rj.judge_id)
$$;

CREATE OR REPLACE FUNCTION judging_queue_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM judging_refresh_queues(coalesce((SELECT array_agg(ARRAY[round_id, judge_id]) FROM (SELECT DISTINCT round_id, judge_id FROM new_rows) d), '{}'));
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION judging_queue_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM judging_refresh_queues(coalesce((SELECT array_agg(ARRAY[round_id, judge_id]) FROM (SELECT DISTINCT round_id, judge_id FROM old_rows) d), '{}'));
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION judging_queue_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM judging_refresh_queues(coalesce((SELECT array_agg(ARRAY[round_id, judge_id]) FROM (
    SELECT round_id, judge_id FROM new_rows UNION SELECT round_id, judge_id FROM old_rows) d), '{}'));
  RETURN NULL;
END $$;

CREATE TRIGGER assignments_queue_insert AFTER INSERT ON assignments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION judging_queue_after_insert();
CREATE TRIGGER assignments_queue_delete AFTER DELETE ON assignments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION judging_queue_after_delete();
CREATE TRIGGER assignments_queue_update AFTER UPDATE ON assignments REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION judging_queue_after_update();

-- The assignment function writes its new rows in one statement (one queue refresh, not one per row).
CREATE OR REPLACE FUNCTION judging_assign(p_round bigint, p_n integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  judges bigint[];
  loads integer[];
  nj integer;
  e record;
  taken bigint[];
  need integer;
  best integer;
  idx integer;
  i integer;
  k integer;
  added integer := 0;
  hi integer;
  lo integer;
  moved bigint;
  new_entries bigint[] := '{}';
  new_judges bigint[] := '{}';
BEGIN
  SELECT array_agg(judge_id ORDER BY judge_id) INTO judges FROM round_judges WHERE round_id = p_round;
  IF judges IS NULL THEN RETURN 0; END IF;
  nj := array_length(judges, 1);
  SELECT array_agg(coalesce(l.n, 0) ORDER BY u.o) INTO loads
    FROM unnest(judges) WITH ORDINALITY AS u(j, o)
    LEFT JOIN (SELECT judge_id, count(*)::int AS n FROM assignments WHERE round_id = p_round GROUP BY judge_id) l ON l.judge_id = u.j;

  FOR e IN
    SELECT re.entry_id, en.seq,
           coalesce((SELECT array_agg(a.judge_id) FROM assignments a WHERE a.round_id = p_round AND a.entry_id = re.entry_id), '{}') AS have
      FROM round_entries re JOIN entries en ON en.id = re.entry_id
     WHERE re.round_id = p_round
     ORDER BY en.seq, en.id
  LOOP
    taken := e.have;
    need := coalesce(p_n, nj) - coalesce(array_length(taken, 1), 0);
    FOR k IN 1 .. need LOOP
      best := NULL;
      FOR i IN 0 .. nj - 1 LOOP
        idx := 1 + ((e.seq + i) % nj);
        CONTINUE WHEN judges[idx] = ANY (taken);
        CONTINUE WHEN best IS NOT NULL AND loads[idx] >= loads[best];
        CONTINUE WHEN judging_conflicted(judges[idx], e.entry_id);
        best := idx;
      END LOOP;
      EXIT WHEN best IS NULL;
      new_entries := new_entries || e.entry_id;
      new_judges := new_judges || judges[best];
      loads[best] := loads[best] + 1;
      taken := taken || judges[best];
      added := added + 1;
    END LOOP;
  END LOOP;
  IF added > 0 THEN
    INSERT INTO assignments (round_id, entry_id, judge_id)
    SELECT p_round, x.e, x.j FROM unnest(new_entries, new_judges) AS x(e, j);
  END IF;

  -- Rebalance (only in n-per-entry mode; in "all" mode every judge has every eligible entry):
  -- the least loaded judge takes an unscored assignment from the busiest judge who has one they
  -- may take, while the two differ by more than one.
  IF p_n IS NOT NULL THEN
    FOR k IN 1 .. 100000 LOOP
      lo := NULL;
      FOR i IN 1 .. nj LOOP
        IF lo IS NULL OR loads[i] < loads[lo] THEN lo := i; END IF;
      END LOOP;
      moved := NULL;
      FOR hi IN SELECT u.o FROM unnest(loads) WITH ORDINALITY AS u(n, o) WHERE u.n > loads[lo] + 1 ORDER BY u.n DESC, u.o LOOP
        SELECT a.id INTO moved
          FROM assignments a
         WHERE a.round_id = p_round AND a.judge_id = judges[hi]
           AND NOT EXISTS (SELECT 1 FROM scoresheets s WHERE s.assignment_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM assignments b WHERE b.round_id = p_round AND b.entry_id = a.entry_id AND b.judge_id = judges[lo])
           AND NOT judging_conflicted(judges[lo], a.entry_id)
         ORDER BY a.entry_id DESC
         LIMIT 1;
        IF moved IS NOT NULL THEN
          UPDATE assignments SET judge_id = judges[lo] WHERE id = moved;
          loads[hi] := loads[hi] - 1;
          loads[lo] := loads[lo] + 1;
          EXIT;
        END IF;
      END LOOP;
      EXIT WHEN moved IS NULL;
    END LOOP;
  END IF;
  RETURN added;
END
$$;
