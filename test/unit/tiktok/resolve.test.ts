import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchOEmbed, resolveShortLink } from '../../../src/tiktok/resolve';

/** A loopback server stands in for TikTok: no test touches the real network. */
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ZSJxxYv2K/') {
      res.writeHead(301, { location: 'https://www.tiktok.com/@congdoanvietnam/video/7003421587766431002?_r=1' });
      return res.end();
    }
    if (url.pathname === '/hop/') {
      res.writeHead(302, { location: 'https://www.tiktok.com/t/ZTRpQ7xKc/' });
      return res.end();
    }
    if (url.pathname === '/t/ZTRpQ7xKc/') {
      res.writeHead(302, { location: '/@someone/video/7003421587766439999' });
      return res.end();
    }
    if (url.pathname === '/tohome/') {
      res.writeHead(302, { location: 'https://www.tiktok.com/@someone' });
      return res.end();
    }
    if (url.pathname === '/slow/') {
      setTimeout(() => {
        res.writeHead(301, { location: 'https://www.tiktok.com/@x/video/7003421587766431002' });
        res.end();
      }, 2000);
      return;
    }
    if (url.pathname === '/oembed') {
      const target = url.searchParams.get('url') ?? '';
      if (target.endsWith('7003421587766431002')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ title: 'Cảm ơn tuyến đầu #ThoiKhacKhoQuen', author_unique_id: 'congdoanvietnam', thumbnail_url: 'https://p16.tiktokcdn.com/a.jpg' }));
      }
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200);
    res.end('home');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('resolveShortLink', () => {
  it('does nothing when the network is off', async () => {
    expect(await resolveShortLink('https://vm.tiktok.com/ZSJxxYv2K/', { enabled: false, timeoutMs: 1000, origin })).toEqual({ ok: false, reason: 'disabled' });
  });
  it('follows the redirect to the video', async () => {
    expect(await resolveShortLink('https://vm.tiktok.com/ZSJxxYv2K/', { enabled: true, timeoutMs: 1000, origin })).toEqual({
      ok: true,
      videoId: '7003421587766431002',
      handle: 'congdoanvietnam',
      canonicalUrl: 'https://www.tiktok.com/@congdoanvietnam/video/7003421587766431002',
    });
  });
  it('follows a chain of short links and relative locations', async () => {
    const r = await resolveShortLink('https://vt.tiktok.com/hop/', { enabled: true, timeoutMs: 1000, origin });
    expect(r).toMatchObject({ ok: true, videoId: '7003421587766439999' });
  });
  it('a redirect to something that is not a video is refused', async () => {
    expect(await resolveShortLink('https://vt.tiktok.com/tohome/', { enabled: true, timeoutMs: 1000, origin })).toEqual({ ok: false, reason: 'not_a_video' });
  });
  it('gives up after the timeout', async () => {
    const t0 = Date.now();
    expect(await resolveShortLink('https://vt.tiktok.com/slow/', { enabled: true, timeoutMs: 300, origin })).toEqual({ ok: false, reason: 'network' });
    expect(Date.now() - t0).toBeLessThan(1500);
  });
  it('an unreachable host is a network failure', async () => {
    expect(await resolveShortLink('https://vt.tiktok.com/ZSJxxYv2K/', { enabled: true, timeoutMs: 500, origin: 'http://127.0.0.1:1' })).toEqual({ ok: false, reason: 'network' });
  });
});

describe('fetchOEmbed', () => {
  it('returns the caption, author and thumbnail', async () => {
    expect(await fetchOEmbed('https://www.tiktok.com/@congdoanvietnam/video/7003421587766431002', { enabled: true, timeoutMs: 1000, origin })).toEqual({
      title: 'Cảm ơn tuyến đầu #ThoiKhacKhoQuen',
      authorName: 'congdoanvietnam',
      thumbnailUrl: 'https://p16.tiktokcdn.com/a.jpg',
    });
  });
  it('null when not found, disabled or unreachable', async () => {
    expect(await fetchOEmbed('https://www.tiktok.com/@x/video/1', { enabled: true, timeoutMs: 1000, origin })).toBeNull();
    expect(await fetchOEmbed('https://www.tiktok.com/@x/video/7003421587766431002', { enabled: false, timeoutMs: 1000, origin })).toBeNull();
    expect(await fetchOEmbed('https://www.tiktok.com/@x/video/7003421587766431002', { enabled: true, timeoutMs: 300, origin: 'http://127.0.0.1:1' })).toBeNull();
  });
});
