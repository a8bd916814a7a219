-- Results: the organiser's decisions on ties that the contest's tie-break rules leave standing.
-- A position orders the entries of one tie group by hand; every decision is also audited.
CREATE TABLE result_tie_orders (
  round_id   bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  entry_id   bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  position   integer NOT NULL CHECK (position >= 1),
  decided_by bigint REFERENCES users (id),
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (round_id, entry_id)
);
