-- One-time sign-in links for entrants (issue 4): asked for with the email used, sent by mail,
-- good once and for a short time. Only a SHA-256 of the token is kept; the token itself exists
-- in the mail alone. A link opens the entries of that email in its own contest, nothing else.
CREATE TABLE entrant_sign_in_links (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id  bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  email       citext NOT NULL CHECK (length(email) <= 254),
  -- The entry named in the request (code given and matching the email), where the link leads.
  entry_id    bigint REFERENCES entries (id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- The housekeeping job drops links a day after they expire.
CREATE INDEX entrant_sign_in_links_expiry_idx ON entrant_sign_in_links (expires_at);
