import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { videoIdAt } from '../../../src/tiktok/links';

let n = 0;

/** A fresh, unique TikTok video id posted `minutesAgo` minutes ago (inside a test contest's window). */
export function entriesVideoId(minutesAgo = 60): string {
  n += 1;
  return videoIdAt(new Date(Date.now() - minutesAgo * 60_000), BigInt(n * 7919 + (process.pid % 1000)));
}

/** A valid submission body (API field names) with unique link and contact. */
export function entriesSubmission(o: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  const id = (o.videoId as string | undefined) ?? entriesVideoId();
  return {
    tiktokUrl: `https://www.tiktok.com/@thi.sinh${n}/video/${id}?is_from_webapp=1`,
    title: `Khoảnh khắc khó quên ${n}`,
    description: 'Cảm ơn tuyến đầu',
    fullName: `Nguyễn Thị Trúc Linh ${n}`,
    email: `Entrant${n}@Example.VN`,
    phone: `0912 ${String(100000 + n).slice(-3)} ${String(1000 + n).slice(-3)}`,
    consent: true,
    hashtagConfirmed: true,
    ...o,
  };
}

/** An empty upload folder for one test file. */
export function entriesUploadDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'clipjury-entries-'));
}

/** Every file below a folder (to prove nothing was left behind). */
export function entriesFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

export const ENTRIES_MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(2000, 1)]);
