-- The contest domain (see ../shared/guide/DOMAIN.md for the words): contests and their set-up,
-- entrants and entries, screening, judging rounds, scoresheets, prizes and awards, metrics.

CREATE TABLE contests (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug                    citext NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  title                   text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary                 text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
  rules_md                text NOT NULL DEFAULT '' CHECK (length(rules_md) <= 100000),
  rules_version           integer NOT NULL DEFAULT 1,
  banner_file_id          bigint REFERENCES stored_files (id),
  hashtags                text[] NOT NULL DEFAULT '{}',
  time_zone               text NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
  opens_at                timestamptz,
  closes_at               timestamptz,
  grace_minutes           integer NOT NULL DEFAULT 0 CHECK (grace_minutes BETWEEN 0 AND 1440),
  ceremony_at             timestamptz,
  ceremony_place          text CHECK (length(ceremony_place) <= 300),
  organiser_name          text CHECK (length(organiser_name) <= 300),
  code_prefix             text NOT NULL CHECK (code_prefix ~ '^[A-Z0-9]{2,10}$'),
  max_entries_per_entrant integer NOT NULL DEFAULT 3 CHECK (max_entries_per_entrant >= 1),
  early_clip_policy       text NOT NULL DEFAULT 'flag' CHECK (early_clip_policy IN ('reject', 'flag')),
  -- {"dateOfBirth": "off"|"optional"|"required", "organisation": …, "occupation": …, "province": …,
  --  "address": …, "nationalId": …, "tiktokHandle": …}
  entrant_fields          jsonb NOT NULL DEFAULT '{}',
  min_age                 integer CHECK (min_age BETWEEN 0 AND 120),
  -- Entrant fields that may appear next to a winning entry; never phone, email or national ID.
  public_fields           text[] NOT NULL DEFAULT '{displayName}',
  upload_mode             text NOT NULL DEFAULT 'off' CHECK (upload_mode IN ('off', 'optional', 'required')),
  max_upload_mb           integer NOT NULL DEFAULT 500 CHECK (max_upload_mb BETWEEN 1 AND 10000),
  allow_multiple_prizes   boolean NOT NULL DEFAULT false,
  -- Ordered tie-break rules: [{"kind": "criterion", "criterionName": "…"}, {"kind": "scoresheets"}]
  tie_break               jsonb NOT NULL DEFAULT '[]',
  -- Stored lifecycle; whether a published contest is scheduled, open or closed comes from the dates.
  state                   text NOT NULL DEFAULT 'draft'
                          CHECK (state IN ('draft', 'published', 'judging', 'results_published', 'archived')),
  entry_seq               integer NOT NULL DEFAULT 0,
  created_by              bigint REFERENCES users (id),
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at)
);

CREATE TABLE categories (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id  bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 1000),
  position    integer NOT NULL DEFAULT 0,
  UNIQUE (contest_id, name)
);

CREATE TABLE prize_tiers (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id  bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  count       integer NOT NULL CHECK (count BETWEEN 1 AND 1000),
  position    integer NOT NULL DEFAULT 0,
  category_id bigint REFERENCES categories (id) ON DELETE SET NULL,
  decided_by  text NOT NULL DEFAULT 'judges' CHECK (decided_by IN ('judges', 'engagement')),
  -- For engagement tiers: {"formula": "views"|"likes"|"weighted", "weights": {...}, "cutoffAt": "…"}
  engagement  jsonb
);

CREATE TABLE screening_reasons (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  position   integer NOT NULL DEFAULT 0,
  UNIQUE (contest_id, label)
);

-- The person behind entries in one contest; all personal data lives here and is shown to organisers only.
CREATE TABLE entrants (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id    bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 120),
  display_name  text CHECK (length(display_name) <= 120),
  email         citext CHECK (length(email) <= 254),
  phone_e164    text CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
  date_of_birth date,
  organisation  text CHECK (length(organisation) <= 200),
  occupation    text CHECK (length(occupation) <= 120),
  province      text CHECK (length(province) <= 120),
  address       text CHECK (length(address) <= 300),
  national_id   text CHECK (national_id ~ '^[0-9]{12}$'),
  tiktok_handle text CHECK (length(tiktok_handle) <= 60),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (email IS NOT NULL OR phone_e164 IS NOT NULL)
);
CREATE INDEX entrants_email_idx ON entrants (contest_id, email);
CREATE INDEX entrants_phone_idx ON entrants (contest_id, phone_e164);

CREATE TABLE entries (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id          bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  entrant_id          bigint NOT NULL REFERENCES entrants (id),
  seq                 integer NOT NULL,
  code                text NOT NULL UNIQUE,
  category_id         bigint REFERENCES categories (id),
  title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description         text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  tiktok_url_input    text NOT NULL CHECK (length(tiktok_url_input) <= 2048),
  canonical_url       text,
  -- A 64-bit TikTok id kept as text: 19 digits do not fit a JavaScript number.
  video_id            text CHECK (video_id ~ '^[0-9]{1,20}$'),
  link_status         text NOT NULL DEFAULT 'ok' CHECK (link_status IN ('ok', 'to_verify', 'failed')),
  link_attempts       integer NOT NULL DEFAULT 0,
  link_checked_at     timestamptz,
  posted_at           timestamptz,
  posted_early        boolean NOT NULL DEFAULT false,
  hashtag_status      text NOT NULL DEFAULT 'unchecked' CHECK (hashtag_status IN ('unchecked', 'verified', 'missing')),
  caption             text,
  tiktok_author       text,
  thumbnail_url       text,
  video_file_id       bigint REFERENCES stored_files (id),
  status              text NOT NULL DEFAULT 'received'
                      CHECK (status IN ('received', 'eligible', 'not_eligible', 'shortlisted', 'awarded', 'withdrawn')),
  screening_reason_id bigint REFERENCES screening_reasons (id),
  screening_note      text CHECK (length(screening_note) <= 2000),
  screened_by         bigint REFERENCES users (id),
  screened_at         timestamptz,
  consent_at          timestamptz NOT NULL,
  consent_rules_version integer NOT NULL,
  idempotency_key     text CHECK (length(idempotency_key) <= 200),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  withdrawn_at        timestamptz,
  search_text         text GENERATED ALWAYS AS (lower(f_unaccent(code || ' ' || title))) STORED,
  UNIQUE (contest_id, seq),
  UNIQUE (contest_id, idempotency_key)
);
-- One live entry per clip per contest, whatever link form was used; a withdrawn one frees the clip.
CREATE UNIQUE INDEX entries_one_clip_idx ON entries (contest_id, video_id) WHERE status <> 'withdrawn' AND video_id IS NOT NULL;
CREATE INDEX entries_contest_status_idx ON entries (contest_id, status, id);
CREATE INDEX entries_entrant_idx ON entries (entrant_id);
CREATE INDEX entries_link_status_idx ON entries (link_status) WHERE link_status = 'to_verify';
CREATE INDEX entries_search_trgm_idx ON entries USING gin (search_text gin_trgm_ops);

-- Judging rounds. Blind review and score visibility are data, as in pretalx's review phases.
CREATE TABLE rounds (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id       bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  position         integer NOT NULL,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  kind             text NOT NULL CHECK (kind IN ('screening', 'scoring')),
  entry_source     text NOT NULL DEFAULT 'all_eligible' CHECK (entry_source IN ('all_eligible', 'promoted')),
  category_id      bigint REFERENCES categories (id),
  blind            boolean NOT NULL DEFAULT true,
  others_scores    text NOT NULL DEFAULT 'after_own' CHECK (others_scores IN ('never', 'after_own', 'always')),
  assignment_mode  text NOT NULL DEFAULT 'all' CHECK (assignment_mode IN ('all', 'n_per_entry')),
  judges_per_entry integer CHECK (judges_per_entry >= 1),
  deadline_at      timestamptz,
  state            text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
  opened_at        timestamptz,
  closed_at        timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (contest_id, position)
);

CREATE TABLE criteria (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  round_id    bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  weight      numeric(6, 3) NOT NULL CHECK (weight > 0),
  scale_min   numeric(6, 2) NOT NULL DEFAULT 1,
  scale_max   numeric(6, 2) NOT NULL DEFAULT 10,
  step        numeric(6, 2) NOT NULL DEFAULT 1 CHECK (step > 0),
  position    integer NOT NULL DEFAULT 0,
  CHECK (scale_max > scale_min)
);

CREATE TABLE round_judges (
  round_id bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  judge_id bigint NOT NULL REFERENCES users (id),
  PRIMARY KEY (round_id, judge_id)
);

-- Which entries take part in a round (all eligible ones, or those promoted from the previous round).
CREATE TABLE round_entries (
  round_id    bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  entry_id    bigint NOT NULL REFERENCES entries (id),
  promoted_by bigint REFERENCES users (id),
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (round_id, entry_id)
);

CREATE TABLE conflicts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id   bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  judge_id     bigint NOT NULL REFERENCES users (id),
  entry_id     bigint REFERENCES entries (id),
  organisation text CHECK (length(organisation) <= 200),
  source       text NOT NULL CHECK (source IN ('organiser', 'judge')),
  reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
  created_by   bigint REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((entry_id IS NULL) <> (organisation IS NULL))
);
CREATE UNIQUE INDEX conflicts_entry_idx ON conflicts (judge_id, entry_id) WHERE entry_id IS NOT NULL;

CREATE TABLE assignments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  round_id   bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  entry_id   bigint NOT NULL REFERENCES entries (id),
  judge_id   bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (round_id, entry_id, judge_id)
);
CREATE INDEX assignments_judge_idx ON assignments (judge_id, round_id);
CREATE INDEX assignments_entry_idx ON assignments (round_id, entry_id);

CREATE TABLE scoresheets (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  assignment_id bigint NOT NULL UNIQUE REFERENCES assignments (id) ON DELETE CASCADE,
  round_id      bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
  entry_id      bigint NOT NULL REFERENCES entries (id),
  judge_id      bigint NOT NULL REFERENCES users (id),
  status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  -- Screening rounds record a verdict instead of scores.
  verdict       text CHECK (verdict IN ('eligible', 'not_eligible')),
  comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 5000),
  version       integer NOT NULL DEFAULT 1,
  submitted_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scoresheets_round_idx ON scoresheets (round_id, entry_id);
CREATE INDEX scoresheets_judge_idx ON scoresheets (judge_id, round_id);

CREATE TABLE scores (
  scoresheet_id bigint NOT NULL REFERENCES scoresheets (id) ON DELETE CASCADE,
  criterion_id  bigint NOT NULL REFERENCES criteria (id) ON DELETE CASCADE,
  value         numeric(6, 2) NOT NULL,
  PRIMARY KEY (scoresheet_id, criterion_id)
);

CREATE TABLE scoresheet_history (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scoresheet_id bigint NOT NULL REFERENCES scoresheets (id) ON DELETE CASCADE,
  version       integer NOT NULL,
  status        text NOT NULL,
  scores        jsonb NOT NULL,
  comment       text NOT NULL,
  changed_by    bigint REFERENCES users (id),
  changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scoresheet_history_sheet_idx ON scoresheet_history (scoresheet_id, version);

-- Awards: an entry given a prize. The winners list is the set of awards plus its publication state.
CREATE TABLE awards (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id    bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  prize_tier_id bigint NOT NULL REFERENCES prize_tiers (id) ON DELETE CASCADE,
  entry_id      bigint NOT NULL REFERENCES entries (id),
  rank          integer,
  position      integer NOT NULL DEFAULT 0,
  source        text NOT NULL CHECK (source IN ('suggested', 'override')),
  reason        text CHECK (length(reason) <= 2000),
  created_by    bigint REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (prize_tier_id, entry_id)
);
CREATE INDEX awards_contest_idx ON awards (contest_id);

CREATE TABLE winners_lists (
  contest_id         bigint PRIMARY KEY REFERENCES contests (id) ON DELETE CASCADE,
  state              text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
  published_at       timestamptz,
  published_by       bigint REFERENCES users (id),
  unpublished_reason text
);

-- Engagement numbers arrive as dated snapshots (exports or typed in); history is kept.
CREATE TABLE metric_imports (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id    bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  file_name     text NOT NULL,
  sha256        text NOT NULL,
  accepted      integer NOT NULL DEFAULT 0,
  skipped       integer NOT NULL DEFAULT 0,
  refused       integer NOT NULL DEFAULT 0,
  report        jsonb NOT NULL DEFAULT '[]',
  created_by    bigint REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE metric_snapshots (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contest_id  bigint NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
  entry_id    bigint NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  captured_at timestamptz NOT NULL,
  views       bigint NOT NULL CHECK (views >= 0),
  likes       bigint NOT NULL CHECK (likes >= 0),
  comments    bigint NOT NULL CHECK (comments >= 0),
  shares      bigint NOT NULL CHECK (shares >= 0),
  source      text NOT NULL CHECK (source IN ('import', 'manual')),
  import_id   bigint REFERENCES metric_imports (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (entry_id, captured_at)
);
CREATE INDEX metric_snapshots_contest_idx ON metric_snapshots (contest_id, captured_at);
