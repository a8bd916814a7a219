import { BUNDLES } from './bundles';

/**
 * A small typed dictionary: Vietnamese is the default, English beside it. Each feature keeps
 * its strings in its own `locale.ts` ({ vi, en } with the same keys) and registers it here.
 */
export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];
export const DEFAULT_LANG: Lang = 'vi';

export interface LocaleBundle {
  vi: Record<string, string>;
  en: Record<string, string>;
}


const dict: Record<Lang, Map<string, string>> = { vi: new Map(), en: new Map() };
function load(b: LocaleBundle) {
  for (const lang of LANGS) for (const [k, v] of Object.entries(b[lang])) dict[lang].set(k, v);
}
BUNDLES.forEach(load);

export function registerLocale(b: LocaleBundle): void {
  load(b);
}

export function isLang(v: unknown): v is Lang {
  return v === 'vi' || v === 'en';
}

/** `t('key', { n: 3 })` replaces `{n}`. A missing key shows itself, so a gap is visible, not silent. */
export function translate(lang: Lang, key: string, params?: Record<string, string | number>): string {
  const s = dict[lang].get(key) ?? dict[DEFAULT_LANG].get(key) ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function hasKey(lang: Lang, key: string): boolean {
  return dict[lang].has(key);
}

export function allKeys(lang: Lang): string[] {
  return [...dict[lang].keys()];
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;
