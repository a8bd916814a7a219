import type { Writable } from 'node:stream';
import { createRequire } from 'node:module';

/**
 * archiver 7 (CommonJS: the module is a function) while @types/archiver describes v8's classes:
 * this is the small part of v7's API the portal uses, typed by hand.
 */
export interface Archive7 {
  pipe(dest: Writable): Writable;
  append(source: Buffer | string, data: { name: string; date?: Date }): this;
  finalize(): Promise<void>;
  on(event: 'error' | 'warning', cb: (err: Error) => void): this;
  on(event: 'progress', cb: (p: { entries: { total: number; processed: number } }) => void): this;
  pointer(): number;
}

type Factory = (format: 'zip', options?: { zlib?: { level?: number } }) => Archive7;

// Loaded with require: @types/archiver (v8) declares an ES module, which TypeScript will not require.
const archiver = createRequire(__filename)('archiver') as Factory;
export const createZip = (): Archive7 => archiver('zip', { zlib: { level: 6 } });
