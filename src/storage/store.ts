import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The upload store: a folder outside the web root (UPLOAD_DIR). Incoming files stream into
 * `tmp/`; a file moves into `files/` under a server-generated name only inside the transaction
 * that records it. Nothing here is ever served statically.
 */
export class UploadStore {
  readonly tmpDir: string;
  readonly filesDir: string;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.filesDir = path.join(root, 'files');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    fs.mkdirSync(this.filesDir, { recursive: true });
  }

  newTempPath(): string {
    return path.join(this.tmpDir, `${randomUUID()}.part`);
  }

  newStorageKey(extension: string): string {
    // Two levels of fan-out keep any one folder small at 45,000 files.
    const id = randomUUID();
    return `${id.slice(0, 2)}/${id}${extension}`;
  }

  pathOf(storageKey: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}\.[a-z0-9]{2,5}$/.test(storageKey)) throw new Error(`Bad storage key ${storageKey}`);
    return path.join(this.filesDir, storageKey);
  }
}

const stores = new Map<string, UploadStore>();
/** One store per folder, created on first use. */
export function uploadStore(root: string): UploadStore {
  let s = stores.get(root);
  if (!s) {
    s = new UploadStore(root);
    stores.set(root, s);
  }
  return s;
}

export async function removeQuietly(file: string | undefined): Promise<void> {
  if (!file) return;
  await fs.promises.rm(file, { force: true }).catch(() => undefined);
}
