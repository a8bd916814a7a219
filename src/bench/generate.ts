import type { Pool } from 'pg';
import { hashPassword } from '../accounts/password';
import { one, rows } from '../db';

/**
 * A contest at the seed's scale, written with set-based SQL (no per-row round trips) so it takes
 * seconds on the server and well under a minute on the embedded engine: 45,304 entries by
 * entrants with Vietnamese names, phones and provinces, two categories, entries spread over
 * 1–30 Sept 2021 with the deadline burst, 10 judges, an open scoring round with 5 weighted
 * criteria and 3 submitted scoresheets per entry, and a second round holding a shortlist of 200.
 */
export interface ScaleOptions {
  entries: number;
  judges: number;
  sheetsPerEntry: number;
  shortlist: number;
  /** Metric snapshots per entry (0 = none), spread evenly over the 30 days. */
  snapshotsPerEntry: number;
  /** Scoresheets left as drafts for every nth assignment (0 = all submitted). */
  draftEvery: number;
}

export const SEED_SCALE: ScaleOptions = { entries: 45_304, judges: 10, sheetsPerEntry: 3, shortlist: 200, snapshotsPerEntry: 0, draftEvery: 0 };

export const BENCH_JUDGE_PASSWORD = 'bench-judge-password';

export interface GeneratedContest {
  contestId: number;
  slug: string;
  roundId: number;
  round2Id: number;
  judges: { id: number; email: string }[];
  criteria: number[];
}

export const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
export const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Thanh', 'Quốc', 'Thu', 'Hoài', 'Thị Trúc', 'Gia'];
export const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Hương', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Nga', 'Phúc', 'Quân', 'Quỳnh', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tuấn', 'Vy', 'Yến'];
export const PROVINCES = ['Hà Nội', 'TP. Hồ Chí Minh', 'Đà Nẵng', 'Hải Phòng', 'Cần Thơ', 'Thừa Thiên Huế', 'Nghệ An', 'Thanh Hóa', 'Bình Dương', 'Đồng Nai', 'Quảng Ninh', 'Khánh Hòa'];
export const TOPICS = ['Khoảnh khắc tuyến đầu', 'Cảm ơn bác sĩ', 'Những ngày giãn cách', 'Bữa cơm gửi khu cách ly', 'Chuyến xe nghĩa tình', 'Nụ cười sau khẩu trang', 'Đêm trắng ở bệnh viện', 'Người lao động không nghỉ'];

const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

export async function generateSeedContest(pool: Pool, opts: ScaleOptions = SEED_SCALE, slug = 'thoi-khac-kho-quen-bench'): Promise<GeneratedContest> {
  const n = opts.entries;
  const contest = await one<{ id: number }>(
    pool,
    `INSERT INTO contests (slug, title, summary, hashtags, time_zone, opens_at, closes_at, code_prefix, max_entries_per_entrant, state)
     VALUES ($1, 'Thời khắc khó quên (bench)', 'Cuộc thi ở quy mô thật: 45.304 bài', '{ThoiKhacKhoQuen}', 'Asia/Ho_Chi_Minh',
             '2021-09-01T00:00:00+07:00', '2021-09-30T23:59:00+07:00', 'TKKQ', 3, 'judging')
     RETURNING id`,
    [slug],
  );
  await pool.query('SELECT reserve_entry_numbers($1, $2)', [contest.id, n]);
  const cats = await rows<{ id: number }>(
    pool,
    `INSERT INTO categories (contest_id, name, position) VALUES ($1, 'Người lao động tuyến đầu', 1), ($1, 'Cộng đồng', 2) RETURNING id`,
    [contest.id],
  );
  const [catA, catB] = cats.map((c) => c.id) as [number, number];

  await pool.query(
    `INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, organisation, province, created_at)
     SELECT $1,
            (${arr(FAMILY)})[1 + i % ${FAMILY.length}] || ' ' || (${arr(MIDDLE)})[1 + (i / 7) % ${MIDDLE.length}] || ' ' || (${arr(GIVEN)})[1 + (i / 3) % ${GIVEN.length}],
            (${arr(MIDDLE)})[1 + (i / 7) % ${MIDDLE.length}] || ' ' || (${arr(GIVEN)})[1 + (i / 3) % ${GIVEN.length}],
            'bench' || i || '@example.vn',
            '+849' || lpad((10000000 + i)::text, 8, '0'),
            CASE WHEN i % 5 = 0 THEN 'Bệnh viện ' || (1 + i % 40) ELSE NULL END,
            (${arr(PROVINCES)})[1 + i % ${PROVINCES.length}],
            now()
       FROM generate_series(1, $2) AS i`,
    [contest.id, n],
  );
  // Entries arrive faster near the deadline: u^0.6 puts more of them late in the month.
  await pool.query(
    `INSERT INTO entries (contest_id, entrant_id, seq, code, category_id, title, description, tiktok_url_input, canonical_url, video_id,
                          link_status, status, posted_at, consent_at, consent_rules_version, created_at, updated_at)
     SELECT $1, en.id, x.i, 'TKKQ-' || lpad(x.i::text, 5, '0'), CASE WHEN x.i % 3 = 0 THEN $3::bigint ELSE $4::bigint END,
            (${arr(TOPICS)})[1 + x.i % ${TOPICS.length}] || ' #' || x.i, 'Clip dự thi số ' || x.i,
            'https://www.tiktok.com/@user' || x.i || '/video/' || v.video_id, 'https://www.tiktok.com/@user' || x.i || '/video/' || v.video_id,
            v.video_id, 'ok', 'eligible', v.posted_at, v.created_at, 1, v.created_at, v.created_at
       FROM entrants en
       CROSS JOIN LATERAL (SELECT substring(en.email FROM 'bench([0-9]+)@')::int AS i) x
       CROSS JOIN LATERAL (
         SELECT ts AS created_at, ts - make_interval(secs => (x.i * 7919) % 86400) AS posted_at,
                ((extract(epoch FROM ts - make_interval(secs => (x.i * 7919) % 86400))::bigint * 4294967296) + x.i)::text AS video_id
           FROM (SELECT timestamptz '2021-09-01T00:00:00+07:00'
                        + (interval '30 days' - interval '1 minute') * power(x.i::float8 / $2, 0.6) AS ts) t
       ) v
      WHERE en.contest_id = $1`,
    [contest.id, n, catA, catB],
  );

  const hash = await hashPassword(BENCH_JUDGE_PASSWORD);
  const judges = await rows<{ id: number; email: string }>(
    pool,
    `INSERT INTO users (email, name, role, password_hash)
     SELECT 'judge' || lpad(j::text, 2, '0') || '@bench.clipjury.vn', 'Giám khảo ' || j, 'judge', $1 FROM generate_series(1, $2) j
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash
     RETURNING id, email::text AS email`,
    [hash, opts.judges],
  );
  judges.sort((a, b) => a.email.localeCompare(b.email));

  const round = await one<{ id: number }>(
    pool,
    `INSERT INTO rounds (contest_id, position, name, kind, entry_source, blind, others_scores, assignment_mode, judges_per_entry, state, opened_at)
     VALUES ($1, 1, 'Vòng 1 — Chấm điểm', 'scoring', 'all_eligible', true, 'after_own', 'n_per_entry', $2, 'open', now()) RETURNING id`,
    [contest.id, opts.sheetsPerEntry],
  );
  const criteria = await rows<{ id: number }>(
    pool,
    `INSERT INTO criteria (round_id, name, description, weight, scale_min, scale_max, step, position) VALUES
       ($1, 'Ý tưởng / Idea', 'Độc đáo, sáng tạo', 30, 1, 10, 1, 1),
       ($1, 'Cảm xúc / Emotion', 'Chạm đến người xem', 25, 1, 10, 1, 2),
       ($1, 'Kỹ thuật quay dựng / Craft', 'Hình ảnh, âm thanh, dựng', 20, 1, 10, 1, 3),
       ($1, 'Thông điệp / Message', 'Rõ ràng, đúng chủ đề', 15, 1, 10, 1, 4),
       ($1, 'Lan tỏa / Reach', 'Khả năng lan tỏa', 10, 1, 10, 1, 5)
     RETURNING id`,
    [round.id],
  );
  const judgeIds = judges.map((j) => j.id);
  await pool.query(`INSERT INTO round_judges (round_id, judge_id) SELECT $1, unnest($2::bigint[])`, [round.id, judgeIds]);
  await pool.query(`INSERT INTO round_entries (round_id, entry_id) SELECT $1, id FROM entries WHERE contest_id = $2`, [round.id, contest.id]);
  // Judge k of entry i is (i + k·step) mod J: distinct for k < J/step, and loads differ by at most one per k.
  const step = Math.max(1, Math.floor(opts.judges / opts.sheetsPerEntry));
  await pool.query(
    `INSERT INTO assignments (round_id, entry_id, judge_id)
     SELECT $1, e.id, ($2::bigint[])[1 + ((e.seq + k * $4) % $5)]
       FROM entries e CROSS JOIN generate_series(0, $3 - 1) AS k
      WHERE e.contest_id = $6`,
    [round.id, judgeIds, opts.sheetsPerEntry, step, opts.judges, contest.id],
  );
  await pool.query(
    `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status, comment, submitted_at, updated_at)
     SELECT a.id, a.round_id, a.entry_id, a.judge_id,
            CASE WHEN $2 > 0 AND a.id % $2 = 0 THEN 'draft' ELSE 'submitted' END,
            '', CASE WHEN $2 > 0 AND a.id % $2 = 0 THEN NULL ELSE now() END, now()
       FROM assignments a WHERE a.round_id = $1`,
    [round.id, opts.draftEvery],
  );
  // Scores vary by entry, judge and criterion, with a per-judge bias so normalisation matters.
  await pool.query(
    `INSERT INTO scores (scoresheet_id, criterion_id, value)
     SELECT s.id, c.id, least(10, greatest(1, 1 + ((s.entry_id * 7 + c.position * 5 + s.judge_id * 3) % 10) + (s.judge_id % 3) - 1))
       FROM scoresheets s JOIN criteria c ON c.round_id = s.round_id
      WHERE s.round_id = $1`,
    [round.id],
  );

  const round2 = await one<{ id: number }>(
    pool,
    `INSERT INTO rounds (contest_id, position, name, kind, entry_source, blind, assignment_mode, state)
     VALUES ($1, 2, 'Chung khảo', 'scoring', 'promoted', false, 'all', 'draft') RETURNING id`,
    [contest.id],
  );
  await pool.query(
    `INSERT INTO round_entries (round_id, entry_id) SELECT $1, id FROM entries WHERE contest_id = $2 ORDER BY seq LIMIT $3`,
    [round2.id, contest.id, opts.shortlist],
  );

  if (opts.snapshotsPerEntry > 0) {
    await pool.query(
      `INSERT INTO metric_snapshots (contest_id, entry_id, captured_at, views, likes, comments, shares, source)
       SELECT $1, e.id, e.created_at + make_interval(days => 30 * s / $2), v.views, v.views / 20, v.views / 450, v.views / 700, 'import'
         FROM entries e CROSS JOIN generate_series(1, $2) AS s
         CROSS JOIN LATERAL (SELECT ((e.seq * 2654435761::bigint) % 20000 + 50) * s AS views) v
        WHERE e.contest_id = $1`,
      [contest.id, opts.snapshotsPerEntry],
    );
  }
  await pool.query('ANALYZE');
  return { contestId: contest.id, slug, roundId: round.id, round2Id: round2.id, judges, criteria: criteria.map((c) => c.id) };
}
