import type { LocaleBundle } from './index';
import { core } from './core';

/** Every feature's strings. A feature adds its `locale.ts` here. */
export const BUNDLES: LocaleBundle[] = [core];
