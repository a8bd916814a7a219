-- Judging: balanced assignment of entries to a round's panel, in the database (no per-row round
-- trips from the application). Deterministic: same data, same assignments. Re-runnable: only
-- what is missing is assigned, and the rebalancing step moves only assignments without a
-- scoresheet.

-- Judges who must not score an entry: declared per entry, or per organisation of the entrant.
CREATE OR REPLACE FUNCTION judging_conflicted(p_judge bigint, p_entry bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM conflicts c
     WHERE c.judge_id = p_judge
       AND (c.entry_id = p_entry
            OR (c.organisation IS NOT NULL AND EXISTS (
                  SELECT 1 FROM entries e JOIN entrants en ON en.id = e.entrant_id
                   WHERE e.id = p_entry AND e.contest_id = c.contest_id
                     AND lower(en.organisation) = lower(c.organisation)))))
$$;

-- Gives every entry of the round up to p_n judges of the panel (all of them when p_n is NULL):
-- each missing slot goes to the eligible judge with the lowest load, ties broken by a rotation
-- on the entry's number so that equal loads spread evenly. Then moves unscored assignments from
-- the most to the least loaded judge while their loads differ by more than one.
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
      INSERT INTO assignments (round_id, entry_id, judge_id) VALUES (p_round, e.entry_id, judges[best]);
      loads[best] := loads[best] + 1;
      taken := taken || judges[best];
      added := added + 1;
    END LOOP;
  END LOOP;

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

CREATE INDEX conflicts_judge_org_idx ON conflicts (judge_id) WHERE organisation IS NOT NULL;
CREATE INDEX assignments_round_judge_idx ON assignments (round_id, judge_id, entry_id);
