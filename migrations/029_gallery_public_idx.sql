-- The public gallery asks for status IN ('eligible', 'shortlisted', 'awarded') newest first; with
-- status inside entries_gallery_idx the planner cannot read that index in order across the three
-- statuses and sorted the whole contest for page 1 (≈ 1 s under load at 45,304 entries, bench
-- suite "gallery"). A partial index on exactly the public statuses is read in order.
CREATE INDEX IF NOT EXISTS entries_gallery_public_idx ON entries (contest_id, created_at DESC, id DESC)
  WHERE status IN ('eligible', 'shortlisted', 'awarded');
