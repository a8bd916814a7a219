import fs from 'node:fs';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

/**
 * Rows of an export file, streamed: a CSV (comma, semicolon or tab, UTF-8 with or without BOM)
 * or the first sheet of an XLSX. Nothing holds the whole file in memory; `bytesRead` follows the
 * file stream, for a progress bar.
 */
export type SheetKind = 'csv' | 'xlsx';

export interface RowSource {
  rows: AsyncIterable<string[]>;
  totalBytes: number;
  bytesRead(): number;
  close(): void;
}

export function kindOfFile(path: string, name: string): SheetKind {
  const fd = fs.openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  } finally {
    fs.closeSync(fd);
  }
  return /\.xlsx$/i.test(name) ? 'xlsx' : 'csv';
}

/** The delimiter the first line uses most: Excel in Vietnamese locales writes semicolons. */
function sniffDelimiter(path: string): string {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0] ?? '';
    const counts = [',', ';', '\t'].map((d) => [d, first.split(d).length - 1] as const);
    counts.sort((a, b) => b[1] - a[1]);
    return counts[0]![1] > 0 ? counts[0]![0] : ',';
  } finally {
    fs.closeSync(fd);
  }
}

export function openRows(path: string, kind: SheetKind): RowSource {
  const totalBytes = fs.statSync(path).size;
  const input = fs.createReadStream(path, { highWaterMark: 256 * 1024 });
  // bytesRead, not a 'data' listener: a listener would switch the stream to flowing mode and
  // defeat the parser's back-pressure (the whole file would pile up in memory).
  const rows = kind === 'csv' ? csvRows(input, sniffDelimiter(path)) : xlsxRows(input);
  return { rows, totalBytes, bytesRead: () => input.bytesRead, close: () => input.destroy() };
}

function csvRows(input: fs.ReadStream, delimiter: string): AsyncIterable<string[]> {
  const parser = parse({ delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true });
  input.on('error', (err) => parser.destroy(err));
  return input.pipe(parser) as AsyncIterable<string[]>;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) {
    // Excel keeps wall-clock times with no zone; exceljs hands them over as UTC fields.
    const p = (n: number) => String(n).padStart(2, '0');
    return `${v.getUTCFullYear()}-${p(v.getUTCMonth() + 1)}-${p(v.getUTCDate())} ${p(v.getUTCHours())}:${p(v.getUTCMinutes())}:${p(v.getUTCSeconds())}`;
  }
  const o = v as { text?: unknown; result?: unknown; richText?: { text: string }[]; hyperlink?: string };
  if (o.richText) return o.richText.map((r) => r.text).join('');
  if (o.text !== undefined) return typeof o.text === 'string' ? o.text : cellText(o.text as ExcelJS.CellValue);
  if (o.result !== undefined) return cellText(o.result as ExcelJS.CellValue);
  return String(o.hyperlink ?? '');
}

async function* xlsxRows(input: fs.ReadStream): AsyncIterable<string[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', entries: 'ignore' });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (values.some((v) => v.trim() !== '')) yield values.map((v) => v.trim());
    }
    // Only the first sheet holds the export.
    break;
  }
}

/** The first rows of a file, for the mapping preview. */
export async function previewRows(path: string, kind: SheetKind, n: number): Promise<string[][]> {
  const src = openRows(path, kind);
  const out: string[][] = [];
  try {
    for await (const r of src.rows) {
      out.push(r);
      if (out.length >= n) break;
    }
  } finally {
    src.close();
  }
  return out;
}
