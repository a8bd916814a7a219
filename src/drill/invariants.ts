import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';

/**
 * What must hold after any fault: every recorded file is on disk and every file on disk is
 * recorded, no entry lacks its entrant, no scoresheet lacks its assignment, and a contest's
 * entry counter agrees with its entries. Returns the violations found (empty when all holds).
 */
export async function checkInvariants(pool: Pool, uploadDir: string): Promise<string[]> {
  const problems: string[] = [];
  const count = async (label: string, sql: string) => {
    const { rows } = await pool.query<{ n: number }>(sql);
    const n = rows[0]?.n ?? 0;
    if (n > 0) problems.push(`${label}: ${n}`);
  };
  await count('entries without their entrant', 'SELECT count(*)::int AS n FROM entries e LEFT JOIN entrants p ON p.id = e.entrant_id WHERE p.id IS NULL');
  await count(
    'entries whose file record is missing',
    'SELECT count(*)::int AS n FROM entries e LEFT JOIN stored_files f ON f.id = e.video_file_id WHERE e.video_file_id IS NOT NULL AND f.id IS NULL',
  );
  await count(
    'scoresheets without their assignment',
    'SELECT count(*)::int AS n FROM scoresheets s LEFT JOIN assignments a ON a.id = s.assignment_id WHERE a.id IS NULL',
  );
  await count(
    'scoresheets whose assignment is for another entry or judge',
    'SELECT count(*)::int AS n FROM scoresheets s JOIN assignments a ON a.id = s.assignment_id WHERE a.entry_id <> s.entry_id OR a.judge_id <> s.judge_id',
  );
  await count(
    'contests whose entry counter is behind their entries',
    'SELECT count(*)::int AS n FROM contests c WHERE entry_numbers_issued(c.id) < (SELECT coalesce(max(seq), 0) FROM entries e WHERE e.contest_id = c.id)',
  );

  const { rows: files } = await pool.query<{ storage_key: string }>('SELECT storage_key FROM stored_files');
  const recorded = new Set(files.map((f) => f.storage_key));
  const filesDir = path.join(uploadDir, 'files');
  const onDisk = new Set<string>();
  if (fs.existsSync(filesDir)) {
    for (const dir of fs.readdirSync(filesDir)) {
      for (const f of fs.readdirSync(path.join(filesDir, dir))) onDisk.add(`${dir}/${f}`);
    }
  }
  const missing = [...recorded].filter((k) => !onDisk.has(k));
  const orphans = [...onDisk].filter((k) => !recorded.has(k));
  if (missing.length) problems.push(`recorded files missing on disk: ${missing.length}`);
  if (orphans.length) problems.push(`files on disk with no record: ${orphans.length}`);
  return problems;
}

/** Temporary upload parts left behind (a crash mid-upload may leave them; the sweeper removes them). */
export function tempParts(uploadDir: string): number {
  const tmp = path.join(uploadDir, 'tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp).length : 0;
}
