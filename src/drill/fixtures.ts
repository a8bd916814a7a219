import http from 'node:http';
import type { Pool } from 'pg';

/** An open contest for a drill, taking original files up to `maxUploadMb`. */
export async function createDrillContest(pool: Pool, slug: string, maxUploadMb = 50): Promise<{ id: number; slug: string }> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO contests (slug, title, hashtags, opens_at, closes_at, code_prefix, max_entries_per_entrant, upload_mode, max_upload_mb, state)
     VALUES ($1, 'Diễn tập sự cố', '{ThoiKhacKhoQuen}', now() - interval '1 day', now() + interval '1 day', 'DT', 3, 'optional', $2, 'published')
     RETURNING id`,
    [slug, maxUploadMb],
  );
  return { id: rows[0]!.id, slug };
}

export function entryFields(i: number): Record<string, string> {
  return {
    tiktokUrl: `https://www.tiktok.com/@drill${i}/video/${7100000000000000000n + BigInt(i)}`,
    title: `Khoảnh khắc diễn tập ${i}`,
    fullName: `Trần Thị Diễn Tập ${i}`,
    email: `drill${i}@example.vn`,
    phone: `09${String(10000000 + i).slice(-8)}`,
    consent: 'true',
    hashtagConfirmed: 'true',
  };
}

export const MP4_HEAD = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12, 0)]);

/** A small multipart body with the fields and a file of `fileBytes` (a valid MP4 header first). */
export function multipartBody(fields: Record<string, string>, fileBytes: number): { body: Buffer; contentType: string } {
  const b = `----drill${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="video"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`));
  parts.push(MP4_HEAD, Buffer.alloc(Math.max(0, fileBytes - MP4_HEAD.length), 7), Buffer.from(`\r\n--${b}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${b}` };
}

/**
 * Streams a multipart upload of `totalBytes` without holding it in memory; `onProgress` sees the
 * bytes written so far. Resolves with the status and body of the answer.
 */
export function streamUpload(
  url: string,
  fields: Record<string, string>,
  totalBytes: number,
  onProgress: (sent: number) => void,
): Promise<{ status: number; body: string }> {
  const b = `----drill${Math.random().toString(16).slice(2)}`;
  const head = Buffer.concat([
    ...Object.entries(fields).map(([k, v]) => Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="video"; filename="lon.mp4"\r\nContent-Type: video/mp4\r\n\r\n`),
    MP4_HEAD,
  ]);
  const tail = Buffer.from(`\r\n--${b}--\r\n`);
  const fill = totalBytes - MP4_HEAD.length;
  const length = head.length + fill + tail.length;
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${b}`, 'content-length': length } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let sent = 0;
    req.write(head);
    const pump = () => {
      while (sent < fill) {
        const n = Math.min(chunk.length, fill - sent);
        sent += n;
        onProgress(sent);
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}
