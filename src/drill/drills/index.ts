import type { Drill } from '../types';
import { diskFullDrill } from './diskFull';
import { killUnderLoadDrill } from './killUnderLoad';
import { multipartFloodDrill } from './multipartFlood';
import { pgRestartDrill } from './pgRestart';
import { sigtermUploadDrill } from './sigtermUpload';

/** Every fault drill `npm run drill` knows, in the order it runs them (one per line: merges by union). */
export const DRILLS: Drill[] = [
  killUnderLoadDrill,
  sigtermUploadDrill,
  diskFullDrill,
  multipartFloodDrill,
  pgRestartDrill,
];
