import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { translateDbError } from './errors';

export * from './errors';

/** Anything that runs a query: the pool, or a client pinned by `withTransaction`. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A transaction's client: a distinct type so services can demand one. */
export type Tx = PoolClient;

export interface Db {
  readonly pool: Pool;
  readonly engine: 'embedded' | 'server';
  /** Human-readable description for logs: never includes a password. */
  readonly description: string;
  close(): Promise<void>;
}

export async function rows<R extends QueryResultRow>(q: Queryable, text: string, values: unknown[] = []): Promise<R[]> {
  try {
    const res = await q.query<R>(text, values);
    return res.rows;
  } catch (err) {
    throw translateDbError(err);
  }
}

export async function maybeOne<R extends QueryResultRow>(q: Queryable, text: string, values: unknown[] = []): Promise<R | undefined> {
  const r = await rows<R>(q, text, values);
  return r[0];
}

export async function one<R extends QueryResultRow>(q: Queryable, text: string, values: unknown[] = []): Promise<R> {
  const r = await rows<R>(q, text, values);
  if (r.length === 0) throw new Error('Expected one row, got none');
  return r[0] as R;
}

export async function execute(q: Queryable, text: string, values: unknown[] = []): Promise<number> {
  try {
    const res = await q.query(text, values);
    return res.rowCount ?? 0;
  } catch (err) {
    throw translateDbError(err);
  }
}

/**
 * Runs `fn` inside BEGIN/COMMIT on one pinned client. Inside `fn`, use only `tx`: awaiting a
 * query on the pool while holding the transaction deadlocks the embedded engine, which runs
 * one transaction at a time.
 */
export async function withTransaction<T>(pool: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw translateDbError(err);
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed; it must not go back to the pool.
      broken = true;
    }
    throw translateDbError(err);
  } finally {
    client.release(broken);
  }
}
