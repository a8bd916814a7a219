import type { Pool } from 'pg';

/**
 * The embedded engine's stand-in for autovacuum's ANALYZE, which PGlite does not run.
 * A table is analysed once it has grown by a tenth (in pages, at least 8) since its statistics
 * were last gathered. Cached plans of the submit path (migration 063) are re-made at each ANALYZE
 * of a table they read, so a plan chosen while a table was small lasts a minute of growth at most.
 * Page counts are exact and cheap on both engines.
 */
const GROWN_TABLES = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND n.nspname = 'public'
     AND pg_relation_size(c.oid) / current_setting('block_size')::int >= greatest(c.relpages * 1.1, c.relpages + 8)
   ORDER BY c.relname`;

/** Analyses the tables that outgrew their statistics; returns their names. */
export async function analyzeGrownTables(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(GROWN_TABLES);
  for (const { name } of rows) await pool.query(`ANALYZE ${name}`);
  return rows.map((r) => r.name);
}
