import type { Pool } from 'pg';

export interface DrillEnv {
  /** The scratch database the drill's portal runs on (a PostgreSQL server). */
  databaseUrl: string;
  pool: Pool;
  /** A fresh upload folder for this drill. */
  uploadDir: string;
  dataDir: string;
  log(line: string): void;
}

export interface DrillResult {
  /** What was checked, one line each, with the numbers seen. */
  facts: string[];
  /** Violations; the drill passed when this is empty. */
  failures: string[];
  /** Undoes what the drill set up outside its folders, after the invariant check. */
  cleanup?: () => void;
}

export interface Drill {
  name: string;
  describe: string;
  run(env: DrillEnv): Promise<DrillResult>;
}
