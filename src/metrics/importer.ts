import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Pool } from 'pg';
import { recordAudit, type Actor } from '../audit/service';
import { withTransaction } from '../db';
import { AppError } from '../http/errors';
import { guessMapping, parseCapturedAt, parseCount, parseVideoRef, type ColumnMapping } from './parse';
import * as q from './queries';
import type { ReportItem } from './queries';
import { kindOfFile, openRows, type SheetKind } from './source';

/**
 * Importing an engagement export: rows are streamed from the file, matched to this contest's
 * entries in batches (one matching query and one multi-row INSERT per batch), and written in one
 * transaction, so an import lands whole or not at all. Rows naming no entry of the contest are
 * skipped and reported; rows with bad numbers or times are refused with their row number and
 * reason; a snapshot already present (same entry, same moment) is skipped, so the same file
 * imported twice adds nothing.
 */
export interface ImportContest {
  id: number;
  code_prefix: string;
  time_zone: string;
}

export interface ImportOptions {
  contest: ImportContest;
  filePath: string;
  fileName: string;
  kind?: SheetKind;
  /** Column of each field; guessed from the header row when absent. */
  mapping?: ColumnMapping;
  /** The moment every row was read, when the file has no time column. */
  capturedAt?: Date;
  actor: Actor;
  onProgress?: (p: ImportProgress) => void;
  batchSize?: number;
  now?: Date;
}

export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportResult {
  importId: number;
  rowsRead: number;
  accepted: number;
  skipped: number;
  duplicates: number;
  refused: number;
  sha256: string;
  /** An earlier import of exactly this file, if there was one. */
  sameFileAs: number | null;
}

/** A problem with the file as a whole: nothing is imported. */
export class ImportFileError extends AppError {
  constructor(messageKey: string, params: Record<string, string | number> = {}) {
    super(422, 'import_file_invalid', messageKey, params);
  }
}

/** The report keeps this many rows in detail; the counts are always complete. */
export const REPORT_LIMIT = 5000;
const DEFAULT_BATCH = 2000;

interface Pending {
  n: number;
  videoId: string | null;
  code: string | null;
  url: string | null;
  capturedAt: Date;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function checkMapping(mapping: ColumnMapping, capturedAt: Date | undefined): void {
  if (mapping.video === undefined) throw new ImportFileError('metrics.import.noVideoColumn');
  if (mapping.views === undefined) throw new ImportFileError('metrics.import.noViewsColumn');
  if (mapping.capturedAt === undefined && !capturedAt) throw new ImportFileError('metrics.import.noTime');
}

export async function importSnapshots(pool: Pool, o: ImportOptions): Promise<ImportResult> {
  const kind = o.kind ?? kindOfFile(o.filePath, o.fileName);
  const sha256 = await sha256OfFile(o.filePath);
  const batchSize = o.batchSize ?? DEFAULT_BATCH;
  const now = o.now ?? new Date();
  const latestAllowed = now.getTime() + 24 * 3600_000;
  const tz = o.contest.time_zone;

  return withTransaction(pool, async (tx) => {
    const earlier = await q.findImportBySha(tx, o.contest.id, sha256);
    const imp = await q.insertImport(tx, o.contest.id, o.fileName, o.actor.id);
    const src = openRows(o.filePath, kind);
    const report: ReportItem[] = [];
    const counts = { rowsRead: 0, accepted: 0, skipped: 0, duplicates: 0, refused: 0 };
    const note = (item: ReportItem) => {
      if (item.outcome === 'refused') counts.refused += 1;
      else counts.skipped += 1;
      if (report.length < REPORT_LIMIT) report.push(item);
    };
    let mapping = o.mapping;
    let pending: Pending[] = [];
    let lastProgress = 0;
    // Daily totals move by each new snapshot's growth over the entry's latest one. A snapshot
    // older than the entry's latest (history filled in afterwards) changes later growth too:
    // then the totals are rebuilt from the snapshots once, at the end.
    const growth = new Map<string, q.Counts4>();
    let rebuildTotals = false;
    const dayCache = new Map<number, string>();
    const dayOf = (d: Date) => {
      let s = dayCache.get(d.getTime());
      if (!s) {
        s = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
        if (dayCache.size < 10_000) dayCache.set(d.getTime(), s);
      }
      return s;
    };
    // Exports repeat the same few times thousands of times; converting a zoned time is not cheap.
    const times = new Map<string, Date | undefined>();
    const timeOf = (raw: string) => {
      if (times.has(raw)) return times.get(raw);
      const d = parseCapturedAt(raw, tz);
      if (times.size < 10_000) times.set(raw, d);
      return d;
    };

    const flush = async () => {
      if (!pending.length) return;
      const batch = pending;
      pending = [];
      const matches = await q.matchEntries(tx, o.contest.id, batch);
      const entryOf = new Map(matches.map((m) => [m.n, m.entry_id]));
      const toInsert: (q.SnapshotIn & { n: number })[] = [];
      for (const p of batch) {
        const entryId = entryOf.get(p.n);
        if (!entryId) {
          note({ row: p.n, outcome: 'skipped', reason: 'unknown_video', field: 'video', value: (p.code ?? p.videoId ?? p.url ?? '').slice(0, 200) });
        } else {
          toInsert.push({ n: p.n, entryId, capturedAt: p.capturedAt, views: p.views, likes: p.likes, comments: p.comments, shares: p.shares });
        }
      }
      if (!toInsert.length) return;
      const before = rebuildTotals ? [] : await q.latestOf(tx, [...new Set(toInsert.map((r) => r.entryId))]);
      const inserted = await q.insertSnapshots(tx, o.contest.id, imp.id, 'import', toInsert);
      const fresh = new Set(inserted.map((r) => `${r.entry_id}@${new Date(r.captured_at).getTime()}`));
      const prev = new Map(before.map((b) => [b.entry_id, { t: new Date(b.captured_at).getTime(), views: b.views, likes: b.likes, comments: b.comments, shares: b.shares }]));
      const added: (q.SnapshotIn & { n: number })[] = [];
      for (const r of toInsert) {
        const key = `${r.entryId}@${r.capturedAt.getTime()}`;
        if (fresh.delete(key)) {
          counts.accepted += 1;
          added.push(r);
        } else {
          counts.duplicates += 1;
          note({ row: r.n, outcome: 'skipped', reason: 'duplicate' });
        }
      }
      if (rebuildTotals) return;
      added.sort((a, b) => a.entryId - b.entryId || a.capturedAt.getTime() - b.capturedAt.getTime());
      for (const r of added) {
        const p = prev.get(r.entryId);
        const t = r.capturedAt.getTime();
        if (p && t <= p.t) {
          rebuildTotals = true;
          return;
        }
        const day = dayOf(r.capturedAt);
        const g = growth.get(day) ?? { views: 0, likes: 0, comments: 0, shares: 0 };
        g.views += r.views - (p?.views ?? 0);
        g.likes += r.likes - (p?.likes ?? 0);
        g.comments += r.comments - (p?.comments ?? 0);
        g.shares += r.shares - (p?.shares ?? 0);
        growth.set(day, g);
        prev.set(r.entryId, { t, views: r.views, likes: r.likes, comments: r.comments, shares: r.shares });
      }
    };

    try {
      let index = 0;
      for await (const cells of src.rows) {
        index += 1;
        if (index === 1) {
          // The first row is the header: it names the columns, whatever their order.
          mapping ??= guessMapping(cells);
          checkMapping(mapping, o.capturedAt);
          continue;
        }
        counts.rowsRead += 1;
        const m = mapping as ColumnMapping;
        const cell = (i: number | undefined) => (i === undefined ? undefined : cells[i]);
        const rowNo = index;
        const ref = parseVideoRef(cell(m.video), o.contest.code_prefix);
        if (ref.kind === 'invalid') {
          note({ row: rowNo, outcome: 'refused', reason: 'bad_video', field: 'video', value: (cell(m.video) ?? '').slice(0, 200) });
          continue;
        }
        const values: Record<'views' | 'likes' | 'comments' | 'shares', number> = { views: 0, likes: 0, comments: 0, shares: 0 };
        let bad: ReportItem | undefined;
        for (const f of ['views', 'likes', 'comments', 'shares'] as const) {
          if (m[f] === undefined) continue;
          const r = parseCount(cell(m[f]));
          if (!r.ok) {
            bad = { row: rowNo, outcome: 'refused', reason: r.reason, field: f, value: (cell(m[f]) ?? '').slice(0, 100) };
            break;
          }
          values[f] = r.value;
        }
        if (bad) {
          note(bad);
          continue;
        }
        let at = o.capturedAt;
        if (m.capturedAt !== undefined) {
          const raw = cell(m.capturedAt);
          const blank = (raw ?? '').trim() === '';
          const parsed = blank ? undefined : timeOf(raw as string);
          if ((!blank && !parsed) || (blank && !at)) {
            note({ row: rowNo, outcome: 'refused', reason: 'bad_time', field: 'capturedAt', value: (raw ?? '').slice(0, 100) });
            continue;
          }
          at = parsed ?? at;
        }
        if ((at as Date).getTime() > latestAllowed) {
          note({ row: rowNo, outcome: 'refused', reason: 'future_time', field: 'capturedAt', value: (at as Date).toISOString() });
          continue;
        }
        pending.push({
          n: rowNo,
          videoId: ref.kind === 'video_id' ? ref.videoId : null,
          code: ref.kind === 'code' ? ref.code : null,
          url: ref.kind === 'url' ? ref.url : null,
          capturedAt: at as Date,
          ...values,
        });
        if (pending.length >= batchSize) {
          await flush();
          const t = Date.now();
          if (o.onProgress && t - lastProgress > 200) {
            lastProgress = t;
            o.onProgress({ rowsRead: counts.rowsRead, bytesRead: src.bytesRead(), totalBytes: src.totalBytes });
          }
        }
      }
      await flush();
    } finally {
      src.close();
    }
    if (!mapping) throw new ImportFileError('metrics.import.empty');
    if (counts.rowsRead === 0) throw new ImportFileError('metrics.import.noRows');
    report.sort((a, b) => a.row - b.row);
    if (rebuildTotals) await q.refreshDailyTotals(tx, o.contest.id, tz);
    else await q.addDailyGrowth(tx, o.contest.id, growth);
    await q.finishImport(tx, imp.id, { sha256, ...counts, report, mapping });
    await recordAudit(tx, o.actor, {
      action: 'metrics.import',
      subjectType: 'metric_import',
      subjectId: imp.id,
      contestId: o.contest.id,
      after: { fileName: o.fileName, sha256, ...counts },
    });
    o.onProgress?.({ rowsRead: counts.rowsRead, bytesRead: src.totalBytes, totalBytes: src.totalBytes });
    return { importId: imp.id, sha256, sameFileAs: earlier?.id ?? null, ...counts };
  });
}
