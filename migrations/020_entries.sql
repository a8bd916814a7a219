-- Entry submission (issue 4).
-- Entry codes are unique per contest (two contests may share a prefix); every look-up goes through the contest.
ALTER TABLE entries DROP CONSTRAINT entries_code_key;
ALTER TABLE entries ADD CONSTRAINT entries_contest_code_key UNIQUE (contest_id, code);
-- The entrant's secret link is an HMAC of the entry id and this salt; a new salt revokes old links.
ALTER TABLE entries ADD COLUMN access_salt text NOT NULL DEFAULT encode(gen_random_bytes(16), 'hex');
-- The entrant confirmed that the caption carries the contest's hashtag.
ALTER TABLE entries ADD COLUMN hashtag_confirmed boolean NOT NULL DEFAULT false;
-- Gallery keyset pagination among eligible entries.
CREATE INDEX entries_gallery_idx ON entries (contest_id, status, created_at DESC, id DESC);
