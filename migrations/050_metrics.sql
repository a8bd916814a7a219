-- Metrics (issue 7): pre-aggregated engagement so the dashboard stays fast at seed scale
-- (45,304 entries, ~1 M snapshots), and indexes for matching import rows and ranking.

-- Each entry's latest snapshot, kept up to date by imports and manual corrections.
CREATE TABLE metric_latest (
  entry_id    bigint PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
  contest_id  bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  captured_at timestamptz NOT NULL,
  views       bigint NOT NULL,
  likes       bigint NOT NULL,
  comments    bigint NOT NULL,
  shares      bigint NOT NULL
);
CREATE INDEX metric_latest_views_idx ON metric_latest (contest_id, views DESC);

-- Contest totals at the end of each day (in the contest's time zone), each entry counted with its
-- latest snapshot up to that day: the "1 M after 3 days, 13 M after a week" curve.
CREATE TABLE metric_daily_totals (
  contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  day        date NOT NULL,
  views      bigint NOT NULL,
  likes      bigint NOT NULL,
  comments   bigint NOT NULL,
  shares     bigint NOT NULL,
  PRIMARY KEY (contest_id, day)
);

-- Import bookkeeping beyond 002: rows read, duplicates among the skipped, the column mapping used.
ALTER TABLE metric_imports ADD COLUMN rows_read  integer NOT NULL DEFAULT 0;
ALTER TABLE metric_imports ADD COLUMN duplicates integer NOT NULL DEFAULT 0;
ALTER TABLE metric_imports ADD COLUMN mapping    jsonb NOT NULL DEFAULT '{}';
CREATE INDEX metric_imports_contest_idx ON metric_imports (contest_id, created_at DESC);

-- The latest snapshot per entry before a cut-off (people's choice) without a sort.
CREATE INDEX metric_snapshots_entry_time_idx ON metric_snapshots (contest_id, entry_id, captured_at DESC);

-- Import rows that carry the link as typed (short links) are matched on it. A hash index: a link
-- may be 2,048 characters, more than a btree entry may hold.
CREATE INDEX entries_url_input_idx ON entries USING hash (tiktok_url_input);
