import fs from 'node:fs';
import path from 'node:path';
import { canonicalVideoUrl, isVideoId, parseTikTokLink, postedAtFromVideoId, videoIdAt } from '../../../src/tiktok/links';
import { captionHasHashtag } from '../../../src/tiktok/resolve';

/** Every row of the shared link table is a test case. */
const TSV = path.resolve(__dirname, '../../../../../shared/data/tiktok-links.tsv');
const FALLBACK = '/work/shared/data/tiktok-links.tsv';
const file = fs.existsSync(TSV) ? TSV : FALLBACK;
const cases = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.length > 0 && !l.startsWith('#'))
  .map((l) => {
    const tab = l.lastIndexOf('\t');
    return { input: l.slice(0, tab), expected: l.slice(tab + 1).trim() };
  });

describe('parseTikTokLink over tiktok-links.tsv', () => {
  it('has every row of the table', () => {
    expect(cases.length).toBe(25);
  });
  it.each(cases)('$input → $expected', ({ input, expected }) => {
    const r = parseTikTokLink(input);
    if (expected === 'short') {
      expect(r.kind).toBe('short');
    } else if (expected === 'invalid') {
      expect(r.kind).toBe('invalid');
    } else {
      expect(r).toMatchObject({ kind: 'video', videoId: expected });
      if (r.kind === 'video') expect(r.canonicalUrl).toMatch(new RegExp(`^https://www\\.tiktok\\.com/@[a-z0-9._]*/video/${expected}$`));
    }
  });
});

describe('parseTikTokLink details', () => {
  it('keeps the handle (lower-cased) in the canonical URL', () => {
    expect(parseTikTokLink('https://WWW.TIKTOK.COM/@CongDoanVietNam/video/7003421587766431002')).toEqual({
      kind: 'video',
      videoId: '7003421587766431002',
      handle: 'congdoanvietnam',
      canonicalUrl: 'https://www.tiktok.com/@congdoanvietnam/video/7003421587766431002',
    });
  });
  it('forms without a handle get an empty one', () => {
    expect(parseTikTokLink('https://m.tiktok.com/v/7003421587766431002.html')).toMatchObject({ canonicalUrl: 'https://www.tiktok.com/@/video/7003421587766431002', handle: null });
  });
  it('short links are normalised, never trusted as ids', () => {
    expect(parseTikTokLink('https://vm.tiktok.com/ZSJxxYv2K/?x=1')).toEqual({ kind: 'short', url: 'https://vm.tiktok.com/ZSJxxYv2K/' });
    expect(parseTikTokLink('https://www.tiktok.com/t/ZTRpQ7xKc')).toEqual({ kind: 'short', url: 'https://www.tiktok.com/t/ZTRpQ7xKc/' });
  });
  it('refuses photo posts, look-alike hosts, credentials and odd ports', () => {
    expect(parseTikTokLink('https://www.tiktok.com/@u/photo/7003421587766431002').kind).toBe('invalid');
    expect(parseTikTokLink('https://wwwtiktok.com/@u/video/7003421587766431002')).toEqual({ kind: 'invalid', reason: 'host' });
    expect(parseTikTokLink('https://tiktok.com@evil.example/@u/video/7003421587766431002')).toEqual({ kind: 'invalid', reason: 'host' });
    expect(parseTikTokLink('https://www.tiktok.com:8443/@u/video/7003421587766431002')).toEqual({ kind: 'invalid', reason: 'host' });
    expect(parseTikTokLink(undefined)).toEqual({ kind: 'invalid', reason: 'empty' });
    expect(parseTikTokLink('x'.repeat(3000)).kind).toBe('invalid');
  });
  it('ids are 64-bit unsigned, kept as text', () => {
    expect(isVideoId('18446744073709551615')).toBe(true);
    expect(isVideoId('18446744073709551616')).toBe(false);
    expect(isVideoId('0123')).toBe(false);
    expect(canonicalVideoUrl('7003421587766431002', 'a.b')).toBe('https://www.tiktok.com/@a.b/video/7003421587766431002');
  });
});

describe('posting time from the id', () => {
  it('the top 32 bits are Unix seconds', () => {
    // 7003421587766431002 >> 32 = 1630611156 → 2021-09-02T19:32:36Z, inside the contest of the article.
    expect(postedAtFromVideoId('7003421587766431002').toISOString()).toBe('2021-09-02T19:32:36.000Z');
  });
  it('round-trips around a window edge to the second', () => {
    const opens = new Date('2021-08-31T17:00:00Z');
    const before = videoIdAt(new Date(opens.getTime() - 1000), 12345n);
    const at = videoIdAt(opens, 12345n);
    expect(postedAtFromVideoId(before).getTime()).toBe(opens.getTime() - 1000);
    expect(postedAtFromVideoId(at).getTime()).toBe(opens.getTime());
    expect(postedAtFromVideoId(before) < opens).toBe(true);
    expect(postedAtFromVideoId(at) < opens).toBe(false);
  });
});

describe('captionHasHashtag', () => {
  it('ignores case and diacritics, needs the whole tag', () => {
    expect(captionHasHashtag('Cảm ơn các y bác sĩ #ThờiKhắcKhóQuên #fyp', ['ThoiKhacKhoQuen'])).toBe(true);
    expect(captionHasHashtag('#thoikhackhoquen2', ['ThoiKhacKhoQuen'])).toBe(false);
    expect(captionHasHashtag('no tag', ['ThoiKhacKhoQuen'])).toBe(false);
  });
});
