import path from 'node:path';

/** The project root, the same from `src/` (tests) and from `dist/` (compiled). */
export const ROOT = path.resolve(__dirname, '..');
export const VIEWS_DIR = path.join(ROOT, 'views');
export const PUBLIC_DIR = path.join(ROOT, 'public');
export const MIGRATIONS_DIR = path.join(ROOT, 'migrations');
export const ASSETS_DIR = path.join(ROOT, 'assets');
