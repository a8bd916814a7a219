import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { translateDbError } from './errors';

export * from './errors';

/** Anything that runs a query: the pool, or a client pinned by `withTransaction`. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string | Statement, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * A query that each connection prepares once and PostgreSQL then plans once (a generic plan
 * after five runs): for hot paths whose planning costs as much as their execution, such as the
 * signed-in user's look-up on every request. Use it only for text that never changes (no
 * interpolated values) and for look-ups by key, where one plan suits every value. The name must
 * be unique across the code base. (A query too costly to plan each time on both engines belongs
 * in a PL/pgSQL function, whose plans the embedded engine keeps too: see migrations/065.)
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export function statement(name: string, text: string): Statement {
  return { name, text };
}

/**
 * Connections that share one database session: the embedded engine's socket feeds every
 * connection into PGlite's single session, where a statement one connection prepared already
 * exists for the next (42P05). Their statements are sent as plain text.
 */
const sharedSession = new WeakSet<object>();

/** Marks a pool, and every client it will hand out, as sharing one database session. */
export function markSharedSession(pool: Pool): Pool {
  sharedSession.add(pool);
  pool.on('connect', (client) => sharedSession.add(client));
  return pool;
}

function textFor(q: Queryable, text: string | Statement): string | Statement {
  return typeof text !== 'string' && sharedSession.has(q) ? text.text : text;
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

export async function rows<R extends QueryResultRow>(q: Queryable, text: string | Statement, values: unknown[] = []): Promise<R[]> {
  try {
    const res = await q.query<R>(textFor(q, text), values);
    return res.rows;
  } catch (err) {
    throw translateDbError(err);
  }
}

export async function maybeOne<R extends QueryResultRow>(q: Queryable, text: string | Statement, values: unknown[] = []): Promise<R | undefined> {
  const r = await rows<R>(q, text, values);
  return r[0];
}

export async function one<R extends QueryResultRow>(q: Queryable, text: string | Statement, values: unknown[] = []): Promise<R> {
  const r = await rows<R>(q, text, values);
  if (r.length === 0) throw new Error('Expected one row, got none');
  return r[0] as R;
}

export async function execute(q: Queryable, text: string | Statement, values: unknown[] = []): Promise<number> {
  try {
    const res = await q.query(textFor(q, text), values);
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
