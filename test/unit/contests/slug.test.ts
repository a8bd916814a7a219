import { foldSlug } from '../../../src/contests/slug';
import { contestFormSchema, parseHashtags } from '../../../src/contests/schemas';
import { contestFormBody } from '../../helpers/factories/contestSetup';

describe('foldSlug', () => {
  test.each([
    ['Thời khắc khó quên', 'thoi-khac-kho-quen'],
    ['Tết sum vầy 2023', 'tet-sum-vay-2023'],
    ['Đường đến Điện Biên', 'duong-den-dien-bien'],
    ['  Ước mơ — của   tôi!  ', 'uoc-mo-cua-toi'],
    ['Những người đồng hành (2021)', 'nhung-nguoi-dong-hanh-2021'],
    ['THỜI KHẮC KHÓ QUÊN', 'thoi-khac-kho-quen'],
    ['Cuộc thi ảnh & clip: “Khoảnh khắc”', 'cuoc-thi-anh-clip-khoanh-khac'],
    ['!!!', ''],
  ])('%s → %s', (title, slug) => {
    expect(foldSlug(title)).toBe(slug);
  });

  test('composed and decomposed input give the same slug', () => {
    expect(foldSlug('Thời khắc'.normalize('NFD'))).toBe(foldSlug('Thời khắc'.normalize('NFC')));
  });

  test('long titles are cut to 80 characters without a trailing hyphen', () => {
    const s = foldSlug('Cuộc thi video clip về phòng chống dịch Covid mười chín của Công đoàn Y tế Việt Nam năm hai nghìn không trăm hai mốt');
    expect(s.length).toBeLessThanOrEqual(80);
    expect(s.endsWith('-')).toBe(false);
    expect(s.startsWith('cuoc-thi-video-clip-ve-phong-chong-dich-covid')).toBe(true);
  });
});

describe('contest form schema', () => {
  test('the slug is folded from the title when left empty, and kept when typed', () => {
    const a = contestFormSchema.safeParse(contestFormBody());
    expect(a.success && a.data.slug).toBe('thoi-khac-kho-quen');
    const b = contestFormSchema.safeParse(contestFormBody({ slug: 'tkkq-2021' }));
    expect(b.success && b.data.slug).toBe('tkkq-2021');
    const c = contestFormSchema.safeParse(contestFormBody({ slug: 'Có dấu' }));
    expect(c.success).toBe(false);
  });

  test('a 23:59 deadline in Asia/Ho_Chi_Minh is 16:59 UTC; the same wall time in Europe/Paris in summer is 21:59 UTC', () => {
    const hcm = contestFormSchema.parse(contestFormBody());
    expect(hcm.closesAt?.toISOString()).toBe('2021-09-30T16:59:00.000Z');
    const paris = contestFormSchema.parse(contestFormBody({ time_zone: 'Europe/Paris', ceremony_local: '' }));
    expect(paris.closesAt?.toISOString()).toBe('2021-09-30T21:59:00.000Z');
  });

  test('an equal opening and deadline is refused on the deadline field', () => {
    const r = contestFormSchema.safeParse(contestFormBody({ opens_local: '2021-09-30T23:59' }));
    expect(r.success).toBe(false);
    expect(!r.success && r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['closes_local', 'contests.closesBeforeOpens']]);
  });

  test('blank rows are ignored; a prize for an unknown category is refused on its row', () => {
    const r = contestFormSchema.safeParse(contestFormBody({ prize_id: ['', ''], prize_name: ['Giải Nhất', ''], prize_count: ['1', ''], prize_category: ['Không có', ''], prize_decided_by: ['judges', 'judges'] }));
    expect(!r.success && r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['prizes.0.category', 'contests.categoryUnknown']]);
  });

  test('a minimum age needs the date of birth to be required', () => {
    const r = contestFormSchema.safeParse(contestFormBody({ min_age: '16' }));
    expect(!r.success && r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['min_age', 'contests.minAgeNeedsBirthDate']]);
    const ok = contestFormSchema.safeParse(contestFormBody({ min_age: '16', field_dateOfBirth: 'required' }));
    expect(ok.success && ok.data.minAge).toBe(16);
  });

  test('hashtags are split, stripped of # and deduplicated', () => {
    expect(parseHashtags('#ThoiKhacKhoQuen, ThoiKhacKhoQuen #TKKQ2021;  ')).toEqual(['ThoiKhacKhoQuen', 'TKKQ2021']);
  });
});
