-- The submission's database work, cut to what it must do (issue 4's throughput bar). A profile of
-- the server under the submit benchmark showed about two thirds of entries_submit's time spent
-- parsing and planning, not writing:
--  * plan_cache_mode = force_custom_plan re-planned every statement of entries_submit at each call;
--  * entrant_live_entries(), a SQL function with a SET clause, was parsed again at each call;
--  * the generated search_text column inlines f_unaccent(), whose body was parsed from text at
--    each INSERT;
--  * the results-stamp trigger on entries called two SQL functions (parsed each time) even when
--    the statement added no rankable entry, as every submission does (now a row trigger that
--    received entries do not fire).
--
-- entries_submit now keeps its plans for the connection's life, and PostgreSQL re-makes them when
-- ANALYZE refreshes a table's statistics (autovacuum on a server; on the embedded engine the job
-- in src/db/statistics.ts). Until a table's first ANALYZE its plans rest on a guess, and a kept
-- plan can be wrong for much longer than it took to make: measured on a fresh database, the clip
-- check's kept plan read all of the contest's entries through an index on contest_id (six indexes
-- of entries lead with it, and on a young table they all look alike), and the submit path slowed
-- from 1,300 to 800 requests a second over 8,000 submissions. So the submit path's look-ups are
-- written so that every plan, even one made on empty tables, goes through the one right index:
--  * the two unique keys of a submission (its clip, its idempotency key) now lead with the key,
--    and the look-ups test the contest with IS NOT DISTINCT FROM (the same test as = here, as
--    contest_id is never null, but no index can serve it), so no index on contest_id competes;
--  * the per-entrant count is a subquery per entrant, whose only index is entrant_id.

-- BEGIN ATOMIC stores the body parsed: inlining it no longer parses text. Same result, same index keys.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  BEGIN ATOMIC SELECT public.unaccent('public.unaccent'::regdictionary, $1); END;

DROP INDEX entries_one_clip_idx;
CREATE UNIQUE INDEX entries_one_clip_idx ON entries (video_id, contest_id) WHERE status <> 'withdrawn' AND video_id IS NOT NULL;
ALTER TABLE entries DROP CONSTRAINT entries_contest_id_idempotency_key_key;
ALTER TABLE entries ADD CONSTRAINT entries_idempotency_key_contest_id_key UNIQUE (idempotency_key, contest_id);

-- A submission (received) adds nothing rankable. A statement trigger still paid for its transition
-- table and a PL/pgSQL call at every INSERT (about 10 % of a submission's database time in PGlite);
-- a row trigger whose WHEN excludes received entries costs nothing for them. Rows inserted already
-- rankable (seeding, imports) touch their contest one by one instead of once per statement.
DROP TRIGGER results_entries_ins ON entries;
CREATE TRIGGER results_entries_ins AFTER INSERT ON entries FOR EACH ROW
  WHEN (NEW.status IN ('eligible', 'shortlisted', 'awarded'))
  EXECUTE FUNCTION results_contest_row_changed();

-- Deleted entries, now the function's only trigger: it returns without calling anything when none
-- was rankable.
CREATE OR REPLACE FUNCTION results_entries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids bigint[];
BEGIN
  SELECT array_agg(DISTINCT contest_id) INTO ids FROM old_rows WHERE status IN ('eligible', 'shortlisted', 'awarded');
  IF ids IS NOT NULL THEN PERFORM results_touch_contests(ids); END IF;
  RETURN NULL;
END
$$;

-- Migration 060's version with the changes above: the same checks in the same order.
CREATE OR REPLACE FUNCTION entries_submit(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k text;
  v_contest bigint := (p->>'contest_id')::bigint;
  v_email citext := (p->>'email')::citext;
  v_phone text := p->>'phone';
  v_twin bigint;
  v_live integer;
  v_entrant bigint;
  v_entry bigint;
  v_seq integer;
  v_code text;
  v_rules integer;
  v_version integer;
  v_prefix text;
BEGIN
  SELECT version, code_prefix, rules_version INTO v_version, v_prefix, v_rules FROM contests WHERE id = v_contest;
  IF p->>'contest_version' IS NOT NULL AND v_version IS DISTINCT FROM (p->>'contest_version')::integer THEN
    RETURN jsonb_build_object('result', 'stale_contest');
  END IF;
  -- A batch (migration 064) has taken every item's locks already, in one order.
  IF p->>'locks_held' IS NULL THEN
    FOR k IN SELECT jsonb_array_elements_text(p->'lock_keys') LOOP
      PERFORM pg_advisory_xact_lock(hashtextextended(k, 0));
    END LOOP;
  END IF;
  IF p->>'idempotency_key' IS NOT NULL THEN
    SELECT id INTO v_twin FROM entries WHERE idempotency_key = p->>'idempotency_key' AND contest_id IS NOT DISTINCT FROM v_contest;
    IF v_twin IS NOT NULL THEN RETURN jsonb_build_object('result', 'twin', 'id', v_twin); END IF;
  END IF;
  IF p->>'video_id' IS NOT NULL
     AND EXISTS (SELECT 1 FROM entries WHERE video_id = p->>'video_id' AND contest_id IS NOT DISTINCT FROM v_contest AND status <> 'withdrawn') THEN
    RETURN jsonb_build_object('result', 'duplicate_clip');
  END IF;
  -- Counted per entrant (a subquery run for each of the one or two entrants found), so that no
  -- plan reads the whole entries table even while its statistics are those of an empty table.
  SELECT coalesce(sum((SELECT count(*) FROM entries e WHERE e.entrant_id = who.id AND e.status <> 'withdrawn')), 0) INTO v_live
    FROM (SELECT id FROM entrants WHERE email = v_email AND contest_id = v_contest
          UNION
          SELECT id FROM entrants WHERE phone_e164 = v_phone AND contest_id = v_contest) who;
  IF v_live >= (p->>'max_entries')::int THEN RETURN jsonb_build_object('result', 'entrant_limit'); END IF;

  v_seq := next_entry_number(v_contest);
  v_code := entry_code(v_prefix, v_seq);
  INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, date_of_birth, organisation, occupation, province, address, national_id, tiktok_handle)
  VALUES (v_contest, p->>'full_name', p->>'display_name', v_email, v_phone, (p->>'date_of_birth')::date, p->>'organisation', p->>'occupation',
          p->>'province', p->>'address', p->>'national_id', p->>'tiktok_handle')
  RETURNING id INTO v_entrant;
  INSERT INTO entries (contest_id, entrant_id, seq, code, category_id, title, description, tiktok_url_input, canonical_url, video_id, link_status,
                       link_checked_at, posted_at, posted_early, hashtag_status, hashtag_confirmed, caption, tiktok_author, thumbnail_url,
                       consent_at, consent_rules_version, idempotency_key, access_salt)
  VALUES (v_contest, v_entrant, v_seq, v_code, (p->>'category_id')::bigint, p->>'title', p->>'description', p->>'tiktok_url_input',
          p->>'canonical_url', p->>'video_id', p->>'link_status', CASE WHEN p->>'link_status' = 'ok' THEN now() END, (p->>'posted_at')::timestamptz,
          (p->>'posted_early')::boolean, p->>'hashtag_status', (p->>'hashtag_confirmed')::boolean, p->>'caption', p->>'tiktok_author',
          p->>'thumbnail_url', (p->>'consent_at')::timestamptz, v_rules, p->>'idempotency_key', p->>'access_salt')
  RETURNING id INTO v_entry;
  IF p->'mail' IS NOT NULL AND p->'mail' <> 'null'::jsonb THEN
    INSERT INTO outbox (kind, to_address, subject, text_body, contest_id)
    VALUES ('entry_receipt', p->'mail'->>'to', replace(p->'mail'->>'subject', p->>'placeholder', v_code),
            replace(p->'mail'->>'text', p->>'placeholder', v_code), v_contest);
  END IF;
  RETURN jsonb_build_object('result', 'ok', 'id', v_entry, 'code', v_code);
END
$$;

-- The file-carrying path (src/entries/queries.ts submissionChecks) counts the same way.
CREATE OR REPLACE FUNCTION entrant_live_entries(p_contest bigint, p_email citext, p_phone text) RETURNS integer
LANGUAGE sql STABLE SET plan_cache_mode = force_custom_plan AS $$
  SELECT coalesce(sum((SELECT count(*) FROM entries e WHERE e.entrant_id = who.id AND e.status <> 'withdrawn')), 0)::integer
    FROM (SELECT id FROM entrants WHERE email = p_email AND contest_id = p_contest
          UNION
          SELECT id FROM entrants WHERE phone_e164 = p_phone AND contest_id = p_contest) who
$$;
