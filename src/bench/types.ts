import type { BenchEnv } from './env';

/** One line of the results table: a figure, what it is compared to, and the goal it answers. */
export interface BenchRow {
  benchmark: string;
  measure: string;
  value: string;
  baseline?: string;
  goal?: string;
  /** Undefined when the figure has no goal. */
  pass?: boolean;
}

export interface BenchSuite {
  name: string;
  describe: string;
  /** Extra environment for this suite's configuration (e.g. a larger upload limit). */
  env?: Record<string, string>;
  run(env: BenchEnv, log: (line: string) => void): Promise<BenchRow[]>;
}
