import type { BenchSuite } from '../types';
import { metricsDashboardSuite } from './metricsDashboard';
import { metricsImportSuite } from './metricsImport';
import { overheadSuite } from './overhead';
import { resultsSuite } from './results';
import { scoringSuite } from './scoring';
import { contestPageSuite } from './contestPage';
import { gallerySuite } from './gallery';
import { ingestSuite } from './ingest';
import { submitSuite } from './submit';
import { uploadSuite } from './upload';

/** Every benchmark `npm run bench` knows, in the order it runs them (one per line: merges by union). */
export const SUITES: BenchSuite[] = [
  overheadSuite,
  submitSuite,
  uploadSuite,
  scoringSuite,
  contestPageSuite,
  metricsImportSuite,
  metricsDashboardSuite,
  resultsSuite,
  ingestSuite,
  gallerySuite,
];
