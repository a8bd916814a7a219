import path from 'node:path';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Queryable } from '../db';
import { rows } from '../db';
import type { ContestRow } from '../contests/queries';
import type { Translate } from '../i18n';
import { ASSETS_DIR } from '../paths';
import { listCategories, listCriteria, type RoundRow } from './queries';
import { computeResults, type Method } from './service';
import type { AwardRow } from './winners';

/**
 * Exports for organisers: CSV (UTF-8 with a BOM so Excel reads Vietnamese, cells that a
 * spreadsheet would take for a formula defused with a leading apostrophe), XLSX, and PDFs made
 * with pdfkit and the DejaVu font shipped in assets/fonts (it has every Vietnamese diacritic).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toFixed(6))) : String(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], data: unknown[][]): string {
  return '\ufeff' + [header, ...data].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export async function resultsTable(q: Queryable, contest: ContestRow, round: RoundRow, method: Method): Promise<Table> {
  const [r, categories] = await Promise.all([computeResults(q, contest, round, { method, pageSize: null }), listCategories(q, contest.id)]);
  const cat = new Map(categories.map((c) => [c.id, c.name]));
  return {
    header: ['rank', 'category_rank', 'code', 'title', 'category', 'sheets', 'missing', 'mean', 'median', 'min', 'max', 'sd', 'normalised', 'tied', 'spread'],
    data: r.rows.map((x) => [
      x.rank, x.category_rank, x.code, x.title, x.category_id ? cat.get(x.category_id) ?? '' : '', x.sheets, x.missing,
      x.mean, x.median, x.min, x.max, x.sd, x.normalised, x.tied ? 'yes' : '', x.spread ? 'yes' : '',
    ]),
  };
}

export async function resultsCsv(q: Queryable, contest: ContestRow, round: RoundRow, method: Method): Promise<string> {
  const t = await resultsTable(q, contest, round, method);
  return toCsv(t.header, t.data);
}

export async function resultsXlsx(q: Queryable, contest: ContestRow, round: RoundRow, method: Method): Promise<Buffer> {
  return tableXlsx({ ...(await resultsTable(q, contest, round, method)), sheetName: round.name });
}

export interface Table {
  header: string[];
  data: unknown[][];
  sheetName?: string;
}

/** Any export table as an XLSX workbook of one sheet. */
export async function tableXlsx(t: Table): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet((t.sheetName ?? 'Clipjury').slice(0, 31).replace(/[[\]*?/\\:]/g, ' '));
  ws.addRow(t.header).font = { bold: true };
  for (const r of t.data) ws.addRow(r.map((v) => (v === null || v === undefined ? '' : v)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function scoresheetsTable(q: Queryable, round: RoundRow): Promise<Table> {
  const criteria = await listCriteria(q, round.id);
  const data = await rows<{ code: string; title: string; judge: string; status: string; comment: string; submitted_at: Date | null; scores: Record<string, number> }>(
    q,
    `SELECT e.code, e.title, u.name AS judge, s.status, s.comment, s.submitted_at,
            coalesce((SELECT jsonb_object_agg(sc.criterion_id::text, sc.value::float8) FROM scores sc WHERE sc.scoresheet_id = s.id), '{}') AS scores
       FROM scoresheets s JOIN entries e ON e.id = s.entry_id JOIN users u ON u.id = s.judge_id
      WHERE s.round_id = $1 ORDER BY e.code, u.name, s.id`,
    [round.id],
  );
  return {
    header: ['code', 'title', 'judge', 'status', ...criteria.map((c) => c.name), 'comment', 'submitted_at'],
    data: data.map((d) => [d.code, d.title, d.judge, d.status, ...criteria.map((c) => d.scores[String(c.id)] ?? null), d.comment, d.submitted_at]),
    sheetName: round.name,
  };
}

export async function scoresheetsCsv(q: Queryable, round: RoundRow): Promise<string> {
  const t = await scoresheetsTable(q, round);
  return toCsv(t.header, t.data);
}

/** Entries with the entrants' personal data: organisers only (the route checks). */
export async function entriesTable(q: Queryable, contest: ContestRow): Promise<Table> {
  const data = await rows<Record<string, unknown>>(
    q,
    `SELECT e.code, e.title, e.status, c.name AS category, e.canonical_url, e.created_at, en.full_name, en.display_name, en.email::text AS email,
            en.phone_e164, en.date_of_birth::text AS date_of_birth, en.organisation, en.occupation, en.province, en.address, en.national_id, en.tiktok_handle
       FROM entries e JOIN entrants en ON en.id = e.entrant_id LEFT JOIN categories c ON c.id = e.category_id
      WHERE e.contest_id = $1 ORDER BY e.seq`,
    [contest.id],
  );
  const header = ['code', 'title', 'status', 'category', 'canonical_url', 'created_at', 'full_name', 'display_name', 'email', 'phone_e164',
    'date_of_birth', 'organisation', 'occupation', 'province', 'address', 'national_id', 'tiktok_handle'];
  return { header, data: data.map((d) => header.map((h) => d[h])), sheetName: 'entries' };
}

export async function entriesCsv(q: Queryable, contest: ContestRow): Promise<string> {
  const t = await entriesTable(q, contest);
  return toCsv(t.header, t.data);
}

export function winnersTable(awards: AwardRow[]): Table {
  return {
    header: ['prize', 'position', 'rank', 'code', 'title', 'full_name', 'display_name', 'source', 'reason'],
    data: awards.map((a) => [a.tier_name, a.position, a.rank, a.code, a.title, a.full_name, a.display_name, a.source, a.reason]),
    sheetName: 'winners',
  };
}

export function winnersCsv(awards: AwardRow[]): string {
  const t = winnersTable(awards);
  return toCsv(t.header, t.data);
}

const FONT = path.join(ASSETS_DIR, 'fonts', 'DejaVuSans.ttf');
const FONT_BOLD = path.join(ASSETS_DIR, 'fonts', 'DejaVuSans-Bold.ttf');

function pdfBuffer(build: (doc: PDFKit.PDFDocument) => void, options: PDFKit.PDFDocumentOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, ...options });
    doc.registerFont('body', FONT);
    doc.registerFont('bold', FONT_BOLD);
    doc.font('body');
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

/** The printable winners list in ceremony order (highest prize first). */
export function winnersPdf(contest: ContestRow, awards: AwardRow[], t: Translate): Promise<Buffer> {
  return pdfBuffer((doc) => {
    doc.info.Title = `${t('pdf.winnersTitle')} — ${contest.title}`;
    doc.font('bold').fontSize(18).text(t('pdf.winnersTitle'), { align: 'center' });
    doc.font('body').fontSize(13).text(contest.title, { align: 'center' }).moveDown();
    let tier = '';
    for (const a of awards) {
      if (a.tier_name !== tier) {
        tier = a.tier_name;
        doc.moveDown(0.5).font('bold').fontSize(14).text(tier);
      }
      doc.font('body').fontSize(11).text(`${a.code} · ${a.full_name} — ${a.title}`, { indent: 16 });
    }
  });
}

/** One winner's certificate, A4 landscape. */
export function certificatePdf(contest: ContestRow, award: AwardRow, t: Translate): Promise<Buffer> {
  return pdfBuffer(
    (doc) => {
      doc.info.Title = `${t('certificate.heading')} — ${award.full_name}`;
      const w = doc.page.width;
      const h = doc.page.height;
      doc.lineWidth(4).strokeColor('#b8860b').rect(24, 24, w - 48, h - 48).stroke();
      doc.lineWidth(1).rect(34, 34, w - 68, h - 68).stroke();
      doc.fillColor('#1f2937');
      doc.y = 90;
      doc.font('bold').fontSize(34).text(t('certificate.heading'), { align: 'center' });
      doc.moveDown(0.8).font('body').fontSize(16).text(t('certificate.awardedTo'), { align: 'center' });
      doc.moveDown(0.4).font('bold').fontSize(30).fillColor('#9f1239').text(award.full_name, { align: 'center' });
      doc.fillColor('#1f2937').moveDown(0.4).font('body').fontSize(16).text(t('certificate.for'), { align: 'center' });
      doc.moveDown(0.3).font('bold').fontSize(24).text(award.tier_name, { align: 'center' });
      doc.moveDown(0.6).font('body').fontSize(14).text(t('certificate.entry', { title: award.title, code: award.code }), { align: 'center' });
      doc.text(t('certificate.contest', { contest: contest.title }), { align: 'center' });
      if (contest.organiser_name) doc.moveDown(1.2).fontSize(13).text(contest.organiser_name, { align: 'center' });
      doc.fontSize(9).fillColor('#6b7280').text(award.code, 50, h - 70, { align: 'right', width: w - 100 });
    },
    { size: 'A4', layout: 'landscape' },
  );
}

export function certificateFileName(a: AwardRow): string {
  return `${a.code}.pdf`;
}
