-- Submissions that arrive while the database is busy with others go in together (issue 4's
-- throughput bar; src/entries/submitBatcher.ts gathers them). Measured with pgbench on the
-- server: ten entries_submit() calls in one transaction took 2.8 times fewer resources per entry
-- than ten transactions of one, because most of a lone call's cost is the round trip, the
-- transaction and the commit's flush, not the entry.
--
-- Each item goes through entries_submit() unchanged, in order, so the items of one batch see one
-- another as they would in sequence: a second copy of a clip is a duplicate, an entrant's third
-- entry counts the first two, a twin finds its first. All of them commit together or not at all;
-- when the call fails, the batcher sends each item again alone, so one bad item costs the others
-- only time.
--
-- Every item's advisory locks are taken first, all in one sorted order: two batches (two
-- processes, or two batches of one process) that share keys then queue instead of deadlocking.
CREATE FUNCTION entries_submit_batch(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k text;
  item jsonb;
  answers jsonb := '[]'::jsonb;
BEGIN
  FOR k IN SELECT DISTINCT key COLLATE "C" FROM jsonb_array_elements(p) i, jsonb_array_elements_text(i->'lock_keys') key ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(k, 0));
  END LOOP;
  FOR item IN SELECT value FROM jsonb_array_elements(p) LOOP
    answers := answers || jsonb_build_array(entries_submit(item || '{"locks_held": true}'));
  END LOOP;
  RETURN answers;
END
$$;
