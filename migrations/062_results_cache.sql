-- Results cache: a round's computed ranking, kept in the database (several app instances may
-- serve the leaderboard), valid while the round's results stamp has not moved.
--
-- results_stamps.stamp is bumped, in the same transaction, by every change the ranking depends
-- on: submitted scoresheets and their scores (submitted, edited, reopened, removed), assignments
-- (missing scoresheets; conflicts move them), conflicts, the round's criteria, its entry source
-- and category, its promoted entries, the organiser's tie decisions, the contest's tie-break
-- rules, and its rankable entries (status, category, code, title; added or removed). Triggers
-- do it, so no code path can forget; they are statement-level where bulk writes happen (a
-- round's scores are hundreds of thousands of rows), row-level with a WHEN clause where only a
-- few columns matter.
-- No foreign key: a stamp may be bumped while its round is being deleted (cascades), and ids are
-- never reused.
CREATE TABLE results_stamps (
  round_id bigint PRIMARY KEY,
  stamp    bigint NOT NULL
);

-- One computed ranking per round and method, with the stamp and the tie-break key it was computed
-- at; its rows are replaced whole (delete + insert in one transaction).
CREATE TABLE results_cache (
  round_id    bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  method      text NOT NULL CHECK (method IN ('plain', 'normalised')),
  stamp       bigint NOT NULL,
  tie_break   bigint[] NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (round_id, method)
);

-- The same columns as the ranking query (results/queries.ts rankingCtes, `ranked`).
CREATE TABLE results_cache_rows (
  round_id        bigint NOT NULL,
  method          text NOT NULL,
  entry_id        bigint NOT NULL,
  code            text NOT NULL,
  title           text NOT NULL,
  category_id     bigint,
  status          text NOT NULL,
  sheets          integer NOT NULL,
  missing         integer NOT NULL,
  mean            double precision,
  median          double precision,
  min             double precision,
  max             double precision,
  sd              double precision,
  normalised      double precision,
  skey            bigint,
  k1              bigint NOT NULL,
  k2              bigint NOT NULL,
  k3              bigint NOT NULL,
  manual_position integer,
  rank            integer NOT NULL,
  category_rank   integer NOT NULL,
  tied            boolean NOT NULL,
  spread          boolean NOT NULL,
  missing_entries integer NOT NULL,
  PRIMARY KEY (round_id, method, entry_id),
  FOREIGN KEY (round_id, method) REFERENCES results_cache (round_id, method) ON DELETE CASCADE
);
CREATE INDEX results_cache_rows_rank_idx ON results_cache_rows (round_id, method, rank, code COLLATE "C");

-- The ranking aggregates a round's scores through its criteria before meeting the scoresheets
-- (results/queries.ts rankingCtes): a small round in a database of many finds them here rather
-- than by reading every score.
CREATE INDEX scores_criterion_idx ON scores (criterion_id);

CREATE FUNCTION results_touch_rounds(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO results_stamps (round_id, stamp)
  SELECT id, 1 FROM (SELECT DISTINCT unnest(ids) AS id) x WHERE id IS NOT NULL ORDER BY id
  ON CONFLICT (round_id) DO UPDATE SET stamp = results_stamps.stamp + 1
$$;

CREATE FUNCTION results_touch_contests(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  SELECT results_touch_rounds(array_agg(id)) FROM rounds WHERE contest_id = ANY (ids)
$$;

-- Tables whose rows carry round_id (assignments, criteria, round_entries, result_tie_orders).
CREATE FUNCTION results_round_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM results_touch_rounds(array_agg(DISTINCT round_id)) FROM new_rows;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM results_touch_rounds(array_agg(DISTINCT round_id)) FROM old_rows;
  END IF;
  RETURN NULL;
END
$$;

-- Only submitted scoresheets count: a draft saved (autosave) changes nothing.
CREATE FUNCTION results_scoresheets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM results_touch_rounds(array_agg(DISTINCT round_id)) FROM new_rows WHERE status = 'submitted';
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM results_touch_rounds(array_agg(DISTINCT round_id)) FROM old_rows WHERE status = 'submitted';
  ELSE
    PERFORM results_touch_rounds(array_agg(DISTINCT n.round_id) || array_agg(DISTINCT o.round_id))
       FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.status = 'submitted' OR o.status = 'submitted';
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION results_scores_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM results_touch_rounds(array_agg(round_id))
       FROM (SELECT DISTINCT s.round_id FROM new_rows n JOIN scoresheets s ON s.id = n.scoresheet_id WHERE s.status = 'submitted') x;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM results_touch_rounds(array_agg(round_id))
       FROM (SELECT DISTINCT s.round_id FROM old_rows o JOIN scoresheets s ON s.id = o.scoresheet_id WHERE s.status = 'submitted') x;
  END IF;
  RETURN NULL;
END
$$;

-- Conflicts added or removed: every round of the contest.
CREATE FUNCTION results_contest_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM results_touch_contests(array_agg(DISTINCT contest_id)) FROM new_rows;
  ELSE
    PERFORM results_touch_contests(array_agg(DISTINCT contest_id)) FROM old_rows;
  END IF;
  RETURN NULL;
END
$$;

-- Entries added or removed: only rankable ones (eligible, shortlisted, awarded; results/queries.ts
-- RANKABLE) are ever ranked, so a submission (received) moves nothing and submitters never queue
-- on the stamps.
CREATE FUNCTION results_entries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM results_touch_contests(array_agg(DISTINCT contest_id)) FROM new_rows WHERE status IN ('eligible', 'shortlisted', 'awarded');
  ELSE
    PERFORM results_touch_contests(array_agg(DISTINCT contest_id)) FROM old_rows WHERE status IN ('eligible', 'shortlisted', 'awarded');
  END IF;
  RETURN NULL;
END
$$;

-- One row changed (entries, contests): every round of its contest.
CREATE FUNCTION results_contest_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'contests' THEN
    PERFORM results_touch_contests(ARRAY[NEW.id]);
  ELSE
    PERFORM results_touch_contests(ARRAY[NEW.contest_id]);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION results_round_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM results_touch_rounds(ARRAY[NEW.id]);
  RETURN NULL;
END
$$;

CREATE TRIGGER results_scoresheets_ins AFTER INSERT ON scoresheets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_scoresheets_changed();
CREATE TRIGGER results_scoresheets_upd AFTER UPDATE ON scoresheets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_scoresheets_changed();
CREATE TRIGGER results_scoresheets_del AFTER DELETE ON scoresheets REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_scoresheets_changed();

CREATE TRIGGER results_scores_ins AFTER INSERT ON scores REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_scores_changed();
CREATE TRIGGER results_scores_upd AFTER UPDATE ON scores REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_scores_changed();
CREATE TRIGGER results_scores_del AFTER DELETE ON scores REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_scores_changed();

CREATE TRIGGER results_assignments_ins AFTER INSERT ON assignments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_assignments_upd AFTER UPDATE ON assignments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_assignments_del AFTER DELETE ON assignments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();

CREATE TRIGGER results_criteria_ins AFTER INSERT ON criteria REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_criteria_upd AFTER UPDATE ON criteria REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_criteria_del AFTER DELETE ON criteria REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();

CREATE TRIGGER results_round_entries_ins AFTER INSERT ON round_entries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_round_entries_upd AFTER UPDATE ON round_entries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_round_entries_del AFTER DELETE ON round_entries REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();

CREATE TRIGGER results_tie_orders_ins AFTER INSERT ON result_tie_orders REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_tie_orders_upd AFTER UPDATE ON result_tie_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();
CREATE TRIGGER results_tie_orders_del AFTER DELETE ON result_tie_orders REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_round_rows_changed();

CREATE TRIGGER results_entries_ins AFTER INSERT ON entries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_entries_changed();
CREATE TRIGGER results_entries_del AFTER DELETE ON entries REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_entries_changed();
-- A rankable entry before or after (a received entry numbered at submission moves nothing).
CREATE TRIGGER results_entries_upd AFTER UPDATE OF status, category_id, code, title ON entries FOR EACH ROW
  WHEN ((OLD.status IN ('eligible', 'shortlisted', 'awarded') OR NEW.status IN ('eligible', 'shortlisted', 'awarded'))
        AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.category_id IS DISTINCT FROM NEW.category_id
             OR OLD.code IS DISTINCT FROM NEW.code OR OLD.title IS DISTINCT FROM NEW.title))
  EXECUTE FUNCTION results_contest_row_changed();

CREATE TRIGGER results_conflicts_ins AFTER INSERT ON conflicts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_contest_rows_changed();
CREATE TRIGGER results_conflicts_del AFTER DELETE ON conflicts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION results_contest_rows_changed();

CREATE TRIGGER results_contests_upd AFTER UPDATE OF tie_break ON contests FOR EACH ROW
  WHEN (OLD.tie_break IS DISTINCT FROM NEW.tie_break)
  EXECUTE FUNCTION results_contest_row_changed();

CREATE TRIGGER results_rounds_upd AFTER UPDATE OF entry_source, category_id ON rounds FOR EACH ROW
  WHEN (OLD.entry_source IS DISTINCT FROM NEW.entry_source OR OLD.category_id IS DISTINCT FROM NEW.category_id)
  EXECUTE FUNCTION results_round_row_changed();
