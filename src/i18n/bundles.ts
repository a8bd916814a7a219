import type { LocaleBundle } from './index';
import { core } from './core';
import { contestsLocale } from '../contests/locale';
import { entriesLocale } from '../entries/locale';
import { selfServiceLocale } from '../entries/selfServiceLocale';
import { judgingLocale } from '../judging/locale';
import { metricsLocale } from '../metrics/locale';
import { resultsLocale } from '../results/locale';

/**
 * Every feature's strings. A feature adds its `locale.ts` here, one line for the import and one
 * for the list (this file merges by union, see .gitattributes).
 */
export const BUNDLES: LocaleBundle[] = [
  core,
  contestsLocale,
  entriesLocale,
  selfServiceLocale,
  judgingLocale,
  metricsLocale,
  resultsLocale,
];
