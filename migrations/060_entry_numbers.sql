-- Entry numbers (TKKQ-00042) come from one sequence per contest instead of a counter on the
-- contest row. The counter had to stay locked from the UPDATE to COMMIT, so every submission of a
-- contest queued behind the one before, and keeping the numbers gap-free meant writing each entry
-- twice (a provisional code, then the real one) and a second round trip to flush the WAL.
-- A sequence hands out numbers without locks and the entry is written once with its final code.
-- The price: a submission that fails after taking its number (a race on the same clip, a crash)
-- leaves a gap. Codes are receipts, not a count; the organiser's figures count rows.

CREATE FUNCTION entry_number_sequence(p_contest bigint) RETURNS regclass
LANGUAGE sql STABLE AS $$ SELECT ('entry_numbers_' || p_contest)::regclass $$;

CREATE FUNCTION entry_code(p_prefix text, p_seq integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT p_prefix || '-' || CASE WHEN p_seq < 100000 THEN lpad(p_seq::text, 5, '0') ELSE p_seq::text END
$$;

CREATE FUNCTION next_entry_number(p_contest bigint) RETURNS integer
LANGUAGE sql VOLATILE AS $$ SELECT nextval(entry_number_sequence(p_contest))::integer $$;

-- How many numbers the contest has handed out (0 before the first).
CREATE FUNCTION entry_numbers_issued(p_contest bigint) RETURNS integer
LANGUAGE sql STABLE AS $$ SELECT coalesce(pg_sequence_last_value(entry_number_sequence(p_contest)), 0)::integer $$;

-- For set-based seeding (demo data, benchmarks, tests) while nobody submits: moves the sequence
-- past `p_count` numbers and returns the number before the first of them.
CREATE FUNCTION reserve_entry_numbers(p_contest bigint, p_count integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_before integer := entry_numbers_issued(p_contest);
BEGIN
  IF p_count > 0 THEN PERFORM setval(entry_number_sequence(p_contest), v_before + p_count); END IF;
  RETURN v_before;
END
$$;

CREATE FUNCTION contests_entry_numbers_create() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- TRUNCATE … RESTART IDENTITY (test resets) gives ids out again without firing DELETE triggers.
  EXECUTE format('DROP SEQUENCE IF EXISTS %I', 'entry_numbers_' || NEW.id);
  EXECUTE format('CREATE SEQUENCE %I AS integer MINVALUE 1', 'entry_numbers_' || NEW.id);
  RETURN NULL;
END
$$;

CREATE FUNCTION contests_entry_numbers_drop() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP SEQUENCE IF EXISTS %I', 'entry_numbers_' || OLD.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER contests_entry_numbers_create AFTER INSERT ON contests FOR EACH ROW EXECUTE FUNCTION contests_entry_numbers_create();
CREATE TRIGGER contests_entry_numbers_drop AFTER DELETE ON contests FOR EACH ROW EXECUTE FUNCTION contests_entry_numbers_drop();

DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT id, entry_seq FROM contests LOOP
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS integer MINVALUE 1', 'entry_numbers_' || c.id);
    IF c.entry_seq > 0 THEN PERFORM setval(entry_number_sequence(c.id), c.entry_seq); END IF;
  END LOOP;
END
$$;

ALTER TABLE contests DROP COLUMN entry_seq;

-- A contest's version goes up with every change to its row or its categories. The submit path
-- validates against a contest read up to two seconds earlier (src/contests/access.ts) and
-- entries_submit refuses to write when the version it was validated against is no longer current.
ALTER TABLE contests ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE FUNCTION contests_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;

CREATE FUNCTION categories_contest_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE contests SET version = version + 1 WHERE id = coalesce(NEW.contest_id, OLD.contest_id);
  RETURN NULL;
END
$$;

CREATE TRIGGER contests_version_bump BEFORE UPDATE ON contests FOR EACH ROW EXECUTE FUNCTION contests_version_bump();
CREATE TRIGGER categories_contest_version_bump AFTER INSERT OR UPDATE OR DELETE ON categories FOR EACH ROW EXECUTE FUNCTION categories_contest_version_bump();

-- Live (not withdrawn) entries of one entrant, known by email or phone: two probes of the entrant
-- indexes, then the entries of those entrants (the join it replaces scanned every entry of the
-- contest). The indexes lead with the contact so that no other index of entrants can pass for
-- them while the table is small and its statistics are not yet gathered.
DROP INDEX entrants_email_idx;
DROP INDEX entrants_phone_idx;
CREATE INDEX entrants_email_idx ON entrants (email, contest_id);
CREATE INDEX entrants_phone_idx ON entrants (phone_e164, contest_id);

-- Planned at each call (plan_cache_mode): a plan cached while the tables were small, or never
-- analysed (the embedded engine has no autovacuum), would be kept for the connection's life.
CREATE FUNCTION entrant_live_entries(p_contest bigint, p_email citext, p_phone text) RETURNS integer
LANGUAGE sql STABLE SET plan_cache_mode = force_custom_plan AS $$
  SELECT count(*)::integer
    FROM (SELECT id FROM entrants WHERE email = p_email AND contest_id = p_contest
          UNION
          SELECT id FROM entrants WHERE phone_e164 = p_phone AND contest_id = p_contest) who
    JOIN entries e ON e.entrant_id = who.id
   WHERE e.status <> 'withdrawn'
$$;

-- The one-round-trip submission (see migration 021 for the first version): the same checks in
-- the same order, then the entry written once with its number. COMMIT waits for the disk as
-- usual, so the answer is sent only for an entry that is durable.
CREATE OR REPLACE FUNCTION entries_submit(p jsonb) RETURNS jsonb
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  k text;
  v_contest bigint := (p->>'contest_id')::bigint;
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
  -- The rules in force when the entry is written are the ones consented to.
  SELECT version, code_prefix, rules_version INTO v_version, v_prefix, v_rules FROM contests WHERE id = v_contest;
  IF p->>'contest_version' IS NOT NULL AND v_version IS DISTINCT FROM (p->>'contest_version')::integer THEN
    RETURN jsonb_build_object('result', 'stale_contest');
  END IF;
  FOR k IN SELECT jsonb_array_elements_text(p->'lock_keys') LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0));
  END LOOP;
  IF p->>'idempotency_key' IS NOT NULL THEN
    SELECT id INTO v_twin FROM entries WHERE contest_id = v_contest AND idempotency_key = p->>'idempotency_key';
    IF v_twin IS NOT NULL THEN RETURN jsonb_build_object('result', 'twin', 'id', v_twin); END IF;
  END IF;
  IF p->>'video_id' IS NOT NULL AND EXISTS (SELECT 1 FROM entries WHERE contest_id = v_contest AND video_id = p->>'video_id' AND status <> 'withdrawn') THEN
    RETURN jsonb_build_object('result', 'duplicate_clip');
  END IF;
  v_live := entrant_live_entries(v_contest, (p->>'email')::citext, p->>'phone');
  IF v_live >= (p->>'max_entries')::int THEN RETURN jsonb_build_object('result', 'entrant_limit'); END IF;

  v_seq := next_entry_number(v_contest);
  v_code := entry_code(v_prefix, v_seq);
  INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, date_of_birth, organisation, occupation, province, address, national_id, tiktok_handle)
  VALUES (v_contest, p->>'full_name', p->>'display_name', p->>'email', p->>'phone', (p->>'date_of_birth')::date, p->>'organisation', p->>'occupation',
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
