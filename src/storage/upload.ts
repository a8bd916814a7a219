import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Request, RequestHandler } from 'express';
import multer, { type StorageEngine } from 'multer';
import { AppError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../http/errors';
import { MIME, SNIFF_BYTES, sniff, type FileKind } from './sniff';
import { removeQuietly, type UploadStore } from './store';

/** A file received in full, checked by content, hashed while it streamed, still in tmp/. */
export interface ReceivedFile {
  field: string;
  tempPath: string;
  size: number;
  sha256: string;
  kind: FileKind;
  mime: string;
  originalName: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by acceptUpload when a file came with the request. */
    upload?: ReceivedFile;
  }
}

export class StorageFullError extends AppError {
  constructor() {
    super(507, 'storage_full', 'error.storageFull');
  }
}

interface EngineOptions {
  store: UploadStore;
  kinds: readonly FileKind[];
}

/**
 * A multer storage engine that writes to a temp file while hashing and sniffing the stream.
 * Whatever goes wrong — wrong type, too large, client gone, disk full — the temp file is removed.
 */
class CheckedDiskStorage implements StorageEngine {
  constructor(private readonly opts: EngineOptions) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    const tempPath = this.opts.store.newTempPath();
    const out = fs.createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    let kind: FileKind | undefined;
    let settled = false;

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      file.stream.unpipe(out);
      file.stream.resume();
      // The temp file is opened asynchronously: removing it before the stream has closed can
      // race the open and leave an empty part behind, so wait for 'close' first.
      const closed = out.closed ? Promise.resolve() : new Promise<void>((r) => out.once('close', () => r()));
      out.destroy();
      void closed.then(() => removeQuietly(tempPath)).then(() => cb(err));
    };
    const decide = (): boolean => {
      kind = sniff(head);
      if (!kind || !this.opts.kinds.includes(kind)) {
        fail(new UnsupportedMediaTypeError());
        return false;
      }
      return true;
    };

    file.stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      hash.update(chunk);
      if (!kind && head.length < SNIFF_BYTES) {
        head = Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
        if (head.length >= SNIFF_BYTES) decide();
      }
    });
    // busboy marks the stream when the size limit cut it; multer then reports LIMIT_FILE_SIZE.
    file.stream.on('limit', () => fail(new PayloadTooLargeError()));
    file.stream.on('error', fail);
    out.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOSPC' || err.code === 'EDQUOT' ? new StorageFullError() : err));
    // The client went away mid-upload: nothing of it may stay behind.
    req.once('close', () => {
      if (!req.complete) fail(new AppError(400, 'upload_aborted', 'error.uploadAborted'));
    });
    out.on('finish', () => {
      if (settled) return;
      if (!kind && !decide()) return;
      if (size === 0) return fail(new UnsupportedMediaTypeError());
      settled = true;
      const info = { path: tempPath, size, sha256: hash.digest('hex'), kind, mime: MIME[kind as FileKind] };
      cb(null, info as unknown as Partial<Express.Multer.File>);
    });
    file.stream.pipe(out);
  }

  _removeFile(_req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    void removeQuietly(file.path).then(() => cb(null));
  }
}

export interface AcceptUploadOptions {
  store: UploadStore;
  field: string;
  kinds: readonly FileKind[];
  /** Largest file accepted, in bytes. */
  maxBytes: number | ((req: Request) => number);
  /** Text fields the form may carry alongside the file. */
  maxFields?: number;
  maxFieldBytes?: number;
}

/**
 * Parses a multipart body with at most one file in `field`. Sets `req.upload` when a file came;
 * text fields land in `req.body`. The temp file is removed when the response ends unless the
 * handler placed it into the store (see placeUpload), so a rejected form leaves nothing behind.
 */
export function acceptUpload(opts: AcceptUploadOptions): RequestHandler {
  const engine = new CheckedDiskStorage({ store: opts.store, kinds: opts.kinds });
  return (req, res, next) => {
    const maxBytes = typeof opts.maxBytes === 'function' ? opts.maxBytes(req) : opts.maxBytes;
    const parser = multer({
      storage: engine,
      // Browsers send UTF-8 file names without saying so; latin1 (the default) garbles Vietnamese.
      defParamCharset: 'utf8',
      limits: {
        fileSize: maxBytes,
        files: 1,
        fields: opts.maxFields ?? 60,
        fieldSize: opts.maxFieldBytes ?? 64 * 1024,
        fieldNameSize: 100,
        parts: (opts.maxFields ?? 60) + 1,
        headerPairs: 200,
      },
    }).single(opts.field);
    res.once('close', () => {
      if (req.upload) void removeQuietly(req.upload.tempPath);
    });
    parser(req, res, (err: unknown) => {
      if (err) {
        const code = (err as { code?: string }).code;
        if (code === 'LIMIT_FILE_SIZE') return next(new PayloadTooLargeError());
        if (code === 'LIMIT_UNEXPECTED_FILE') return next(new AppError(422, 'unexpected_file', 'form.invalid'));
        if (code && code.startsWith('LIMIT_')) return next(new AppError(413, 'too_many_parts', 'error.413'));
        return next(err);
      }
      const f = req.file as (Express.Multer.File & { sha256: string; kind: FileKind; mime?: string }) | undefined;
      if (f) {
        req.upload = {
          field: f.fieldname,
          tempPath: f.path,
          size: f.size,
          sha256: f.sha256,
          kind: f.kind,
          mime: f.mime ?? MIME[f.kind],
          originalName: (f.originalname ?? '').normalize('NFC').slice(0, 255),
        };
      }
      next();
    });
  };
}
