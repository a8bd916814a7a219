-- The locked part of an entry submission in one round trip (issue 4's throughput bar): the same
-- steps, in the same order, as the multi-statement path in src/entries/service.ts, which is kept
-- for submissions carrying a file (the file is moved into place inside that transaction).
-- Each statement of a volatile PL/pgSQL function takes a new snapshot, so the checks after the
-- advisory locks see whatever a twin committed while this call waited.
CREATE OR REPLACE FUNCTION entries_submit(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k text;
  v_contest bigint := (p->>'contest_id')::bigint;
  v_twin bigint;
  v_live integer;
  v_entrant bigint;
  v_entry bigint;
  v_mail bigint;
  v_seq integer;
  v_code text;
BEGIN
  -- COMMIT does not wait for the disk; the caller flushes before answering.
  PERFORM set_config('synchronous_commit', 'off', true);
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
  SELECT count(*)::int INTO v_live FROM entries e JOIN entrants en ON en.id = e.entrant_id
   WHERE e.contest_id = v_contest AND e.status <> 'withdrawn' AND (en.email = (p->>'email')::citext OR en.phone_e164 = p->>'phone');
  IF v_live >= (p->>'max_entries')::int THEN RETURN jsonb_build_object('result', 'entrant_limit'); END IF;

  INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, date_of_birth, organisation, occupation, province, address, national_id, tiktok_handle)
  VALUES (v_contest, p->>'full_name', p->>'display_name', p->>'email', p->>'phone', (p->>'date_of_birth')::date, p->>'organisation', p->>'occupation',
          p->>'province', p->>'address', p->>'national_id', p->>'tiktok_handle')
  RETURNING id INTO v_entrant;
  INSERT INTO entries (contest_id, entrant_id, seq, code, category_id, title, description, tiktok_url_input, canonical_url, video_id, link_status,
                       link_checked_at, posted_at, posted_early, hashtag_status, hashtag_confirmed, caption, tiktok_author, thumbnail_url,
                       consent_at, consent_rules_version, idempotency_key, access_salt)
  VALUES (v_contest, v_entrant, -v_entrant, '~' || v_entrant, (p->>'category_id')::bigint, p->>'title', p->>'description', p->>'tiktok_url_input',
          p->>'canonical_url', p->>'video_id', p->>'link_status', CASE WHEN p->>'link_status' = 'ok' THEN now() END, (p->>'posted_at')::timestamptz,
          (p->>'posted_early')::boolean, p->>'hashtag_status', (p->>'hashtag_confirmed')::boolean, p->>'caption', p->>'tiktok_author',
          p->>'thumbnail_url', (p->>'consent_at')::timestamptz, (p->>'rules_version')::int, p->>'idempotency_key', p->>'access_salt')
  RETURNING id INTO v_entry;
  IF p->'mail' IS NOT NULL AND p->'mail' <> 'null'::jsonb THEN
    INSERT INTO outbox (kind, to_address, subject, text_body, contest_id)
    VALUES ('entry_receipt', p->'mail'->>'to', p->'mail'->>'subject', p->'mail'->>'text', v_contest)
    RETURNING id INTO v_mail;
  END IF;
  -- Last: the number; the contest row stays locked only from here to COMMIT.
  UPDATE contests SET entry_seq = entry_seq + 1 WHERE id = v_contest
  RETURNING entry_seq, code_prefix || '-' || CASE WHEN entry_seq < 100000 THEN lpad(entry_seq::text, 5, '0') ELSE entry_seq::text END
       INTO v_seq, v_code;
  UPDATE entries SET seq = v_seq, code = v_code, consent_rules_version = (SELECT rules_version FROM contests WHERE id = v_contest) WHERE id = v_entry;
  IF v_mail IS NOT NULL THEN
    UPDATE outbox SET subject = replace(subject, p->>'placeholder', v_code), text_body = replace(text_body, p->>'placeholder', v_code) WHERE id = v_mail;
  END IF;
  RETURN jsonb_build_object('result', 'ok', 'id', v_entry, 'code', v_code);
END
$$;
