import fs from 'node:fs';
import path from 'node:path';
import { niceMax, fillDays, daysBetween } from '../../../src/metrics/charts';
import { guessMapping, parseCapturedAt, parseCount, parseVideoRef, postedAtFromVideoId, videoIdFromUrl } from '../../../src/metrics/parse';

describe('reading an engagement export', () => {
  test.each([
    ['1.234.567', 1234567], ['1,234,567', 1234567], ['1 234 567', 1234567], ['1234567', 1234567], ['0', 0],
    ['1,2 triệu', 1200000], ['1.2M', 1200000], ['15K', 15000], ['3 nghìn', 3000], ['2 tỷ', 2000000000],
  ])('%s is %d', (raw, n) => expect(parseCount(raw)).toEqual({ ok: true, value: n }));

  test.each([
    ['-5', 'negative'], ['−5', 'negative'], ['abc', 'not_a_number'], ['1.5', 'not_a_number'], ['12.34.567', 'not_a_number'], ['', 'missing'], ['1e9', 'not_a_number'],
  ])('%s is refused (%s)', (raw, reason) => expect(parseCount(raw)).toEqual({ ok: false, reason }));

  test('headers in Vietnamese or English, in any order', () => {
    expect(guessMapping(['Thời gian', 'Lượt thích', 'Link video', 'Lượt xem', 'Bình luận', 'Chia sẻ'])).toEqual({ capturedAt: 0, likes: 1, video: 2, views: 3, comments: 4, shares: 5 });
    expect(guessMapping(['Video ID', 'Views', 'Likes', 'Comments', 'Shares', 'Extra'])).toEqual({ video: 0, views: 1, likes: 2, comments: 3, shares: 4 });
  });

  test('times: ISO with an offset, or wall-clock in the contest zone, day first', () => {
    const tz = 'Asia/Ho_Chi_Minh';
    expect(parseCapturedAt('2021-09-03T10:00:00+07:00', tz)).toEqual(new Date('2021-09-03T03:00:00Z'));
    expect(parseCapturedAt('2021-09-03 10:00', tz)).toEqual(new Date('2021-09-03T03:00:00Z'));
    expect(parseCapturedAt('03/09/2021 10:00', tz)).toEqual(new Date('2021-09-03T03:00:00Z'));
    expect(parseCapturedAt('3/9/2021', tz)).toEqual(new Date('2021-09-02T17:00:00Z'));
    expect(parseCapturedAt('31/02/2021', tz)).toBeUndefined();
    expect(parseCapturedAt('hôm qua', tz)).toBeUndefined();
  });

  test('every link form of the shared TikTok fixture gives its id, a short link, or nothing', () => {
    const file = path.resolve(__dirname, '../../../../shared/data/tiktok-links.tsv');
    const candidates = [file, '/work/shared/data/tiktok-links.tsv'].filter((f) => fs.existsSync(f));
    const lines = fs.readFileSync(candidates[0]!, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      const [input, expected] = line.split('\t') as [string, string];
      const ref = parseVideoRef(input, 'TKKQ');
      const got = ref.kind === 'video_id' ? ref.videoId : ref.kind === 'url' ? 'short' : ref.kind === 'invalid' ? 'invalid' : ref.kind;
      expect({ input, got }).toEqual({ input, got: expected.trim() });
    }
    expect(videoIdFromUrl('https://vm.tiktok.com/ZSJxxYv2K/')).toBeUndefined();
    expect(parseVideoRef('tkkq-00042', 'TKKQ')).toEqual({ kind: 'code', code: 'TKKQ-00042' });
  });

  test('the posting time is the top 32 bits of the video id', () => {
    expect(postedAtFromVideoId('7003421587766431002').toISOString()).toBe('2021-09-02T19:32:36.000Z');
    expect(postedAtFromVideoId(String((1630429200n << 32n) + 12345n)).toISOString()).toBe('2021-08-31T17:00:00.000Z');
  });

  test('chart axes end on round numbers; day series fill their gaps', () => {
    expect([niceMax(5, true), niceMax(3, true), niceMax(13_205_000), niceMax(0)]).toEqual([8, 4, 20_000_000, 4]);
    expect(daysBetween('2021-09-29', '2021-10-02')).toEqual(['2021-09-29', '2021-09-30', '2021-10-01', '2021-10-02']);
    const m = new Map([['2021-09-30', 5]]);
    expect(fillDays(daysBetween('2021-09-29', '2021-10-01'), m, 'carry')).toEqual([0, 5, 5]);
    expect(fillDays(daysBetween('2021-09-29', '2021-10-01'), m, 'zero')).toEqual([0, 5, 0]);
  });
});
