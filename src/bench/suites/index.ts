import type { BenchSuite } from '../types';
import { overheadSuite } from './overhead';

/** Every benchmark `npm run bench` knows, in the order it runs them. */
export const SUITES: BenchSuite[] = [overheadSuite];
