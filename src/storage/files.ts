import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { Queryable, Tx } from '../db';
import { one, maybeOne, withTransaction } from '../db';
import { NotFoundError } from '../http/errors';
import { EXTENSION } from './sniff';
import { removeQuietly, type UploadStore } from './store';
import type { ReceivedFile } from './upload';

export type FilePurpose = 'banner' | 'entry_video' | 'metrics_import';

export interface StoredFileRow {
  id: number;
  storage_key: string;
  purpose: FilePurpose;
  original_name: string;
  mime: string;
  size_bytes: number;
  sha256: string;
  created_at: Date;
}

const FILE_COLUMNS = 'id, storage_key, purpose, original_name, mime, size_bytes, sha256, created_at';

export function findStoredFile(q: Queryable, id: number): Promise<StoredFileRow | undefined> {
  return maybeOne<StoredFileRow>(q, `SELECT ${FILE_COLUMNS} FROM stored_files WHERE id = $1`, [id]);
}

export type PlaceUpload = (file: ReceivedFile, purpose: FilePurpose) => Promise<StoredFileRow>;

/**
 * A transaction that may keep uploaded files. `place(file, purpose)` records the file and moves it
 * into the store before COMMIT; if the transaction then fails, the moved files are removed again.
 * A crash between the move and COMMIT leaves a file no row points at, never a row without its
 * file. Each placed file's key is held by a transaction-scoped advisory lock (placementLockKey),
 * so the sweeper can tell such a file — its transaction gone — from one whose COMMIT is still to
 * come, and remove it at once (see sweepPlacedOrphans, run at start-up).
 */
export function placementLockKey(storageKey: string): string {
  return `upload:${storageKey}`;
}

export async function withUploadTransaction<T>(pool: Pool, store: UploadStore, fn: (tx: Tx, place: PlaceUpload) => Promise<T>): Promise<T> {
  const placed: string[] = [];
  try {
    return await withTransaction(pool, async (tx) =>
      fn(tx, async (file, purpose) => {
        const storageKey = store.newStorageKey(EXTENSION[file.kind]);
        const row = await one<StoredFileRow>(
          tx,
          `WITH held AS (SELECT pg_advisory_xact_lock(hashtextextended($7, 0)))
           INSERT INTO stored_files (storage_key, purpose, original_name, mime, size_bytes, sha256)
           SELECT $1, $2, $3, $4, $5, $6 FROM held RETURNING ${FILE_COLUMNS}`,
          [storageKey, purpose, file.originalName || `upload${EXTENSION[file.kind]}`, file.mime, file.size, file.sha256, placementLockKey(storageKey)],
        );
        const target = store.pathOf(storageKey);
        await fs.promises.mkdir(path.dirname(target), { recursive: true });
        await fs.promises.rename(file.tempPath, target);
        placed.push(target);
        return row;
      }),
    );
  } catch (err) {
    await Promise.all(placed.map((p) => removeQuietly(p)));
    throw err;
  }
}

/** Removes a file from the store after the row that pointed at it is gone (e.g. a replaced clip). */
export async function deleteStoredFileData(store: UploadStore, file: Pick<StoredFileRow, 'storage_key'>): Promise<void> {
  await removeQuietly(store.pathOf(file.storage_key));
}

/**
 * Streams a stored file with HTTP Range support (video seeking). The caller has already checked
 * that this user may see it.
 */
export function sendStoredFile(req: Request, res: Response, store: UploadStore, file: StoredFileRow, opts: { download?: boolean; maxAgeSeconds?: number } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const disposition = `${opts.download ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.original_name)}`;
    res.sendFile(
      store.pathOf(file.storage_key),
      {
        acceptRanges: true,
        cacheControl: false,
        dotfiles: 'deny',
        headers: {
          'Content-Type': file.mime,
          'Content-Disposition': disposition,
          'Cache-Control': opts.maxAgeSeconds ? `public, max-age=${opts.maxAgeSeconds}` : 'private, no-store',
          'X-Content-Type-Options': 'nosniff',
        },
      },
      (err?: Error & { code?: string; status?: number }) => {
        if (!err) return resolve();
        if (err.code === 'ENOENT' || err.status === 404) return reject(new NotFoundError('file_missing'));
        // The client went away mid-download (a seek in a video player does this): nothing to do.
        if (err.code === 'ECONNABORTED' || res.headersSent) return resolve();
        reject(err);
      },
    );
  });
}

/**
 * Removes, at once, placed files that no row points at and whose placing transaction is over (its
 * advisory lock is free again): what a crash between the move and COMMIT leaves. A file whose
 * transaction is still running is left alone, so this is safe while other instances submit; it
 * runs at start-up and in the hourly housekeeping.
 */
export async function sweepPlacedOrphans(pool: Pool, store: UploadStore): Promise<number> {
  let removed = 0;
  for (const dir of await fs.promises.readdir(store.filesDir).catch(() => [] as string[])) {
    const names = await fs.promises.readdir(path.join(store.filesDir, dir)).catch(() => [] as string[]);
    if (!names.length) continue;
    const keys = names.map((n) => `${dir}/${n}`);
    const { rows } = await pool.query<{ storage_key: string }>('SELECT storage_key FROM stored_files WHERE storage_key = ANY($1)', [keys]);
    const known = new Set(rows.map((r) => r.storage_key));
    for (const key of keys.filter((k) => !known.has(k))) {
      // Try the placing transaction's lock: free means that transaction has ended. Only then, in
      // a new statement (a new snapshot, which sees a COMMIT it made), look for its row.
      const { rows: lock } = await pool.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS free', [placementLockKey(key)]);
      if (!lock[0]?.free) continue;
      const { rows: gone } = await pool.query<{ orphan: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM stored_files WHERE storage_key = $1) AS orphan', [key]);
      if (gone[0]?.orphan) {
        await removeQuietly(path.join(store.filesDir, key));
        removed += 1;
      }
    }
  }
  return removed;
}

/**
 * Housekeeping: temp files older than a day (uploads abandoned by a crash mid-stream; they have no
 * transaction to ask) and placed files no row points at (sweepPlacedOrphans). Returns how many
 * of each were removed.
 */
export async function sweepOrphans(pool: Pool, store: UploadStore, now = Date.now()): Promise<{ temp: number; orphans: number }> {
  let temp = 0;
  for (const name of await fs.promises.readdir(store.tmpDir).catch(() => [] as string[])) {
    const p = path.join(store.tmpDir, name);
    const st = await fs.promises.stat(p).catch(() => undefined);
    if (st && now - st.mtimeMs > 86400_000) {
      await removeQuietly(p);
      temp += 1;
    }
  }
  return { temp, orphans: await sweepPlacedOrphans(pool, store) };
}
