import type { Drill } from '../types';
import { pgRestartDrill } from './pgRestart';

/** Every fault drill `npm run drill` knows, in the order it runs them (one per line: merges by union). */
export const DRILLS: Drill[] = [
  pgRestartDrill,
];
