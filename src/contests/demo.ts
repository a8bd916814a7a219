import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { hashPassword } from '../accounts/password';
import type { Actor } from '../audit/service';
import { one, rows, withTransaction } from '../db';
import { zonedLocalToUtc, utcToZonedLocal } from '../i18n/format';
import * as q from './queries';
import type { ContestInput } from './schemas';
import { applyContestAction, createContest, updateContest } from './service';

/**
 * `npm run seed:demo`: the 2021 contest "Thời khắc khó quên" (see docs: DOMAIN.md), its
 * categories and prizes, an organiser and three judges, and a dozen entries. Idempotent: a second
 * run updates the same contest (and resets the demo passwords, which it prints again).
 */
export const DEMO_SLUG = 'thoi-khac-kho-quen';
const TZ = 'Asia/Ho_Chi_Minh';
const DEMO_ACTOR: Actor = { id: null, label: 'seed:demo' };

export const DEMO_RULES = `# Thể lệ Cuộc thi video clip “Thời khắc khó quên”

*Bản thể lệ này được viết cho bản trình diễn của Clipjury, dựa trên cuộc thi năm 2021 của Tạp chí Lao động và Công đoàn phối hợp với Công đoàn Y tế Việt Nam.*

## 1. Mục đích
Lưu giữ những hình ảnh, thời khắc khó quên trong những ngày cả nước chung tay chống dịch Covid-19; tri ân và vinh danh lực lượng tuyến đầu: y bác sĩ, công an, quân đội, tình nguyện viên và người lao động.

## 2. Đối tượng tham gia
Mọi công dân Việt Nam từ 16 tuổi trở lên, không phân biệt nghề nghiệp. Thành viên Ban Tổ chức và Ban Giám khảo không được dự thi.

## 3. Cách tham gia
1. Quay một video clip (tối đa 3 phút) về một khoảnh khắc chống dịch mà bạn chứng kiến hoặc tham gia.
2. Đăng clip lên TikTok ở chế độ **công khai**, kèm hashtag **#ThoiKhacKhoQuen**.
3. Gửi đường link clip tại trang cuộc thi này bằng nút **“Gửi bài dự thi”**, điền đầy đủ thông tin và ghi lại **mã bài dự thi** (ví dụ TKKQ-00012).

Mỗi thí sinh gửi tối đa **3** bài. Clip đăng trước ngày mở cổng sẽ được Ban Tổ chức xem xét.

## 4. Hạng mục
- **Lực lượng tuyến đầu**: clip do y bác sĩ, công an, quân đội, tình nguyện viên thực hiện.
- **Cộng đồng**: clip của mọi người dân về tinh thần sẻ chia, lạc quan vượt qua đại dịch.

## 5. Giải thưởng
- 01 Giải Nhất, 02 Giải Nhì, 03 Giải Ba, 10 Giải Khuyến khích do Ban Giám khảo chấm chọn;
- 01 Giải bình chọn dành cho clip có lượt tương tác cao nhất trên TikTok.

## 6. Tiêu chí chấm
Nội dung chân thực, cảm xúc; ý nghĩa tri ân; sáng tạo trong cách thể hiện; chất lượng hình ảnh, âm thanh.

## 7. Bản quyền và thông tin cá nhân
Thí sinh chịu trách nhiệm về bản quyền clip. Thông tin cá nhân chỉ dùng để liên hệ và trao giải; khi công bố giải chỉ hiển thị tên và tỉnh/thành phố.

Mọi thắc mắc xin liên hệ Ban Tổ chức qua trang [Công đoàn Việt Nam trên TikTok](https://www.tiktok.com/@congdoanvietnam).
`;

const ENTRANTS: { name: string; province: string; occupation: string; title: string; category: 0 | 1; handle: string }[] = [
  { name: 'Nguyễn Thị Thu Hà', province: 'Hà Nội', occupation: 'Điều dưỡng', title: 'Ca trực đêm ở khu cách ly', category: 0, handle: 'thuha.dieuduong' },
  { name: 'Trần Văn Minh', province: 'TP. Hồ Chí Minh', occupation: 'Bác sĩ', title: 'Những bữa cơm vội trong bộ đồ bảo hộ', category: 0, handle: 'bsminh.tran' },
  { name: 'Lê Hoàng Yến', province: 'Bình Dương', occupation: 'Công nhân', title: 'Ba tại chỗ ở nhà máy', category: 1, handle: 'yenle.bd' },
  { name: 'Phạm Quốc Bảo', province: 'Đồng Nai', occupation: 'Tình nguyện viên', title: 'Chuyến xe chở gạo nghĩa tình', category: 1, handle: 'quocbao.tnv' },
  { name: 'Võ Thị Mỹ Linh', province: 'Cần Thơ', occupation: 'Giáo viên', title: 'Lớp học trực tuyến giữa mùa dịch', category: 1, handle: 'mylinh.cantho' },
  { name: 'Đặng Minh Tuấn', province: 'Bắc Giang', occupation: 'Chiến sĩ công an', title: 'Chốt kiểm dịch lúc 2 giờ sáng', category: 0, handle: 'tuan.csgt' },
  { name: 'Hoàng Thị Lan', province: 'Hà Nội', occupation: 'Bác sĩ', title: 'Bức thư gửi con từ bệnh viện dã chiến', category: 0, handle: 'lanhoang.bs' },
  { name: 'Bùi Văn Hùng', province: 'Đà Nẵng', occupation: 'Tài xế', title: 'ATM gạo đầu ngõ', category: 1, handle: 'hungbui.dn' },
  { name: 'Ngô Thanh Tâm', province: 'Long An', occupation: 'Sinh viên y khoa', title: 'Những đôi tay lấy mẫu xét nghiệm', category: 0, handle: 'tam.ngo.yk' },
  { name: 'Đỗ Thị Hồng Nhung', province: 'Nghệ An', occupation: 'Nội trợ', title: 'Mẹ may khẩu trang cho cả xóm', category: 1, handle: 'hongnhung.na' },
  { name: 'Huỳnh Gia Bảo', province: 'TP. Hồ Chí Minh', occupation: 'Học sinh', title: 'Vẽ tranh cảm ơn các cô chú tuyến đầu', category: 1, handle: 'giabao.draw' },
  { name: 'Phan Văn Thắng', province: 'Hải Dương', occupation: 'Quân nhân', title: 'Đoàn quân y vào Nam', category: 0, handle: 'thang.quany' },
];

export interface DemoAccount {
  role: 'organiser' | 'judge';
  email: string;
  name: string;
  password: string;
}

const ACCOUNTS: Omit<DemoAccount, 'password'>[] = [
  { role: 'organiser', email: 'bantochuc@demo.clipjury.vn', name: 'Ban Tổ chức (demo)' },
  { role: 'judge', email: 'giamkhao1@demo.clipjury.vn', name: 'Nguyễn Văn An (giám khảo)' },
  { role: 'judge', email: 'giamkhao2@demo.clipjury.vn', name: 'Trần Thị Bình (giám khảo)' },
  { role: 'judge', email: 'giamkhao3@demo.clipjury.vn', name: 'Lê Minh Châu (giám khảo)' },
];

const newPassword = () => `tkkq-${randomBytes(9).toString('base64url')}`;

/** The demo window: 1–30 Sept 2021 when historical, else opened a week ago and closing in three weeks. */
export function demoWindow(historical: boolean, now: Date) {
  if (historical) {
    return {
      opensAt: zonedLocalToUtc('2021-09-01T00:00', TZ),
      closesAt: zonedLocalToUtc('2021-09-30T23:59', TZ),
      ceremonyAt: zonedLocalToUtc('2021-11-19T09:00', TZ),
    };
  }
  const day = (offset: number) => utcToZonedLocal(new Date(now.getTime() + offset * 86400_000), TZ).slice(0, 10);
  return {
    opensAt: zonedLocalToUtc(`${day(-7)}T00:00`, TZ),
    closesAt: zonedLocalToUtc(`${day(23)}T23:59`, TZ),
    ceremonyAt: zonedLocalToUtc(`${day(60)}T09:00`, TZ),
  };
}

function demoInput(historical: boolean, now: Date, ids: { categories: Map<string, number>; prizes: Map<string, number> }): ContestInput {
  const w = demoWindow(historical, now);
  const categories = [
    { name: 'Lực lượng tuyến đầu', description: 'Y bác sĩ, công an, quân đội, tình nguyện viên nơi tuyến đầu chống dịch' },
    { name: 'Cộng đồng', description: 'Mọi người dân: sẻ chia, lạc quan vượt qua đại dịch' },
  ];
  const prizes: { name: string; count: number; decidedBy: 'judges' | 'engagement' }[] = [
    { name: 'Giải Nhất', count: 1, decidedBy: 'judges' },
    { name: 'Giải Nhì', count: 2, decidedBy: 'judges' },
    { name: 'Giải Ba', count: 3, decidedBy: 'judges' },
    { name: 'Giải Khuyến khích', count: 10, decidedBy: 'judges' },
    { name: 'Giải bình chọn', count: 1, decidedBy: 'engagement' },
  ];
  return {
    title: 'Thời khắc khó quên',
    slug: DEMO_SLUG,
    summary: 'Cuộc thi video clip trên TikTok tri ân, vinh danh những lực lượng nơi tuyến đầu chống dịch Covid-19. Đăng clip kèm #ThoiKhacKhoQuen và gửi bài tại đây.',
    rulesMd: DEMO_RULES,
    hashtags: ['ThoiKhacKhoQuen'],
    timeZone: TZ,
    opensAt: w.opensAt,
    closesAt: w.closesAt,
    graceMinutes: 15,
    ceremonyAt: w.ceremonyAt,
    ceremonyPlace: 'Công đoàn Y tế Việt Nam, Hà Nội',
    organiserName: 'Tạp chí Lao động và Công đoàn · Công đoàn Y tế Việt Nam',
    codePrefix: 'TKKQ',
    maxEntriesPerEntrant: 3,
    earlyClipPolicy: 'flag',
    entrantFields: { dateOfBirth: 'required', organisation: 'optional', occupation: 'optional', province: 'required', address: 'off', nationalId: 'off', tiktokHandle: 'optional' },
    minAge: 16,
    publicFields: ['displayName', 'province'],
    uploadMode: 'optional',
    maxUploadMb: 500,
    categories: categories.map((c) => ({ id: ids.categories.get(c.name) ?? null, ...c })),
    prizes: prizes.map((p) => ({ id: ids.prizes.get(p.name) ?? null, name: p.name, count: p.count, categoryName: null, decidedBy: p.decidedBy })),
  };
}

/** A TikTok-like 64-bit video id whose top 32 bits are the posting time (see DOMAIN.md). */
function videoIdAt(postedAt: Date, n: number): string {
  const seconds = BigInt(Math.floor(postedAt.getTime() / 1000));
  return ((seconds << 32n) | BigInt(0x1a2b0000 + n * 7919)).toString();
}

export async function seedDemo(pool: Pool, opts: { historical?: boolean; now?: Date } = {}) {
  const historical = Boolean(opts.historical);
  const now = opts.now ?? new Date();

  // Accounts first: a fresh password each run, printed by the CLI.
  const accounts: DemoAccount[] = [];
  for (const a of ACCOUNTS) {
    const password = newPassword();
    const hash = await hashPassword(password);
    await pool.query(
      `INSERT INTO users (email, name, role, password_hash, organisation) VALUES ($1, $2, $3, $4, 'Ban Tổ chức cuộc thi Thời khắc khó quên')
       ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, disabled_at = NULL, updated_at = now()`,
      [a.email, a.name, a.role, hash],
    );
    accounts.push({ ...a, password });
  }
  const organiser = await one<{ id: number }>(pool, 'SELECT id FROM users WHERE email = $1', [ACCOUNTS[0]!.email]);
  const actor: Actor = { ...DEMO_ACTOR, id: organiser.id };

  const existing = await q.findContestBySlug(pool, DEMO_SLUG);
  let contest: q.ContestRow;
  if (!existing) {
    contest = await createContest(pool, demoInput(historical, now, { categories: new Map(), prizes: new Map() }), actor);
  } else {
    const [cats, prizes] = await Promise.all([q.listCategories(pool, existing.id), q.listPrizeTiers(pool, existing.id)]);
    const input = demoInput(historical, now, { categories: new Map(cats.map((c) => [c.name, c.id])), prizes: new Map(prizes.map((p) => [p.name, p.id])) });
    // Keep categories the organiser added in the demo, so their entries stay valid.
    for (const c of cats) if (!input.categories.some((k) => k.name === c.name)) input.categories.push({ id: c.id, name: c.name, description: c.description });
    contest = await updateContest(pool, existing.id, input, actor, { confirmWindowChange: true });
  }
  if (contest.state === 'draft') await applyContestAction(pool, contest.id, 'publish', actor, now);

  let entriesAdded = 0;
  if ((await q.countAllEntries(pool, contest.id)) === 0) {
    const cats = await q.listCategories(pool, contest.id);
    const opensMs = (contest.opens_at as Date).getTime();
    const lastMs = Math.min(now.getTime(), (contest.closes_at as Date).getTime());
    await withTransaction(pool, async (tx) => {
      for (const [i, e] of ENTRANTS.entries()) {
        const postedAt = new Date(opensMs + ((lastMs - opensMs) * (i + 1)) / (ENTRANTS.length + 1));
        const entrant = await one<{ id: number }>(
          tx,
          `INSERT INTO entrants (contest_id, full_name, display_name, email, phone_e164, occupation, province, tiktok_handle)
           VALUES ($1, $2, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [contest.id, e.name, `${e.handle.replace(/\W/g, '')}@example.com`, `+849${String(10000000 + i * 7654321).slice(-8)}`, e.occupation, e.province, e.handle],
        );
        const seq = await one<{ entry_seq: number }>(tx, 'SELECT next_entry_number($1) AS entry_seq', [contest.id]);
        const videoId = videoIdAt(postedAt, i);
        const url = `https://www.tiktok.com/@${e.handle}/video/${videoId}`;
        await tx.query(
          `INSERT INTO entries (contest_id, entrant_id, seq, code, category_id, title, description, tiktok_url_input, canonical_url, video_id,
                                posted_at, hashtag_status, tiktok_author, status, consent_at, consent_rules_version, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, 'unchecked', $11, 'received', $12, $13, $12)`,
          [
            contest.id, entrant.id, seq.entry_seq, `TKKQ-${String(seq.entry_seq).padStart(5, '0')}`, cats[e.category]?.id ?? null, e.title,
            `${e.title}. #ThoiKhacKhoQuen`, url, videoId, postedAt, e.handle, new Date(postedAt.getTime() + 3600_000), contest.rules_version,
          ],
        );
        entriesAdded += 1;
      }
    });
  }
  const count = await rows<{ n: number }>(pool, 'SELECT count(*)::int AS n FROM contests WHERE slug = $1', [DEMO_SLUG]);
  return { contest: (await q.findContestById(pool, contest.id)) as q.ContestRow, created: !existing, accounts, entriesAdded, contests: count[0]!.n };
}
