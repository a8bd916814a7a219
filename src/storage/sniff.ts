/**
 * What a file is, judged by its first bytes, never by its name or the browser's claim: a
 * renamed HTML page or executable is refused whatever it is called.
 */
export type FileKind = 'mp4' | 'mov' | 'webm' | 'png' | 'jpeg' | 'webp' | 'csv' | 'xlsx';

export const MIME: Record<FileKind, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const EXTENSION: Record<FileKind, string> = { mp4: '.mp4', mov: '.mov', webm: '.webm', png: '.png', jpeg: '.jpg', webp: '.webp', csv: '.csv', xlsx: '.xlsx' };

/** Bytes needed to decide; fewer is fine for a shorter file. */
export const SNIFF_BYTES = 512;

const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

function sniffVideo(b: Buffer): FileKind | undefined {
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    return brand === 'qt  ' ? 'mov' : 'mp4';
  }
  // Older QuickTime files may open with another top-level atom.
  if (b.length >= 8 && ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(ascii(b, 4, 8))) return 'mov';
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    // Matroska and WebM share EBML; only the WebM doctype is a clip we accept.
    return ascii(b, 0, Math.min(b.length, 64)).includes('webm') ? 'webm' : undefined;
  }
  return undefined;
}

function looksLikeText(b: Buffer): boolean {
  if (b.length === 0) return false;
  if (b.includes(0)) return false;
  // A UTF-8 decoder that replaces bad bytes tells us whether any were bad (the last char may be cut).
  const text = b.toString('utf8');
  const bad = (text.match(/\uFFFD/g) ?? []).length;
  if (bad > 1 || (bad === 1 && !text.endsWith('\uFFFD'))) return false;
  // Markup is not a spreadsheet, whatever it is called.
  return !/^\s*(<!doctype|<html|<\?xml|<script|<svg)/i.test(text.replace(/^\uFEFF/, ''));
}

export function sniff(head: Buffer): FileKind | undefined {
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  const video = sniffVideo(head);
  if (video) return video;
  if (looksLikeText(head)) return 'csv';
  return undefined;
}
