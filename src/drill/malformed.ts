import net from 'node:net';

/**
 * Malformed multipart requests for the upload endpoint (issue 8's hostile-input flood). Each case
 * is raw bytes written to a socket, so nothing in an HTTP client can tidy them up; `abortAfter`
 * cuts the connection mid-body like a phone losing signal.
 */
export interface RawCase {
  kind: string;
  head: string;
  body: Buffer;
  /** Destroy the socket after writing this many body bytes. */
  abortAfter?: number;
}

const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(2000, 7)]);

function rnd(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function part(boundary: string, name: string, value: string | Buffer, filename?: string, type = 'video/mp4'): Buffer {
  const disp = filename === undefined ? `form-data; name="${name}"` : `form-data; name="${name}"; filename="${filename}"`;
  const head = `--${boundary}\r\nContent-Disposition: ${disp}\r\n${filename === undefined ? '' : `Content-Type: ${type}\r\n`}\r\n`;
  return Buffer.concat([Buffer.from(head), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n')]);
}

function request(path: string, host: string, contentType: string, body: Buffer, extra = '', length: number | null = body.length): string {
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: ${contentType}\r\n${length === null ? '' : `Content-Length: ${length}\r\n`}${extra}Connection: close\r\n\r\n`;
}

/** The i-th malformed case (deterministic: the same i gives the same bytes). */
export function malformedCase(i: number, path: string, host: string): RawCase {
  const r = rnd(i * 2654435761);
  const b = `----clipjury${i}x${Math.floor(r() * 1e9)}`;
  const ct = `multipart/form-data; boundary=${b}`;
  const fields = Buffer.concat([part(b, 'title', `Clip ${i}`), part(b, 'tiktokUrl', 'https://www.tiktok.com/@a/video/7003421587766431002')]);
  const kinds = [
    'truncated',
    'no-closing-boundary',
    'wrong-boundary',
    'huge-part-header',
    'thousands-of-parts',
    'deep-field-names',
    'aborted-stream',
    'length-mismatch',
    'no-boundary',
    'text-as-video',
    'many-files',
    'long-and-traversal-filename',
    'garbage',
    'bad-chunked',
  ] as const;
  const kind = kinds[i % kinds.length]!;
  const full = Buffer.concat([fields, part(b, 'video', MP4, 'clip.mp4'), Buffer.from(`--${b}--\r\n`)]);
  switch (kind) {
    case 'truncated': {
      const body = full.subarray(0, Math.floor(full.length * (0.2 + r() * 0.7)));
      return { kind, head: request(path, host, ct, body, '', full.length), body, abortAfter: body.length };
    }
    case 'no-closing-boundary': {
      const body = Buffer.concat([fields, part(b, 'video', MP4, 'clip.mp4')]);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'wrong-boundary':
      return { kind, head: request(path, host, `multipart/form-data; boundary=${b}-not-this-one`, full), body: full };
    case 'huge-part-header': {
      const body = Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="title"\r\nX-Pad: ${'a'.repeat(64 * 1024 + Math.floor(r() * 64 * 1024))}\r\n\r\nx\r\n--${b}--\r\n`)]);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'thousands-of-parts': {
      const n = 2000 + Math.floor(r() * 3000);
      const parts: Buffer[] = [];
      for (let k = 0; k < n; k++) parts.push(part(b, `f${k}`, 'v'));
      parts.push(Buffer.from(`--${b}--\r\n`));
      const body = Buffer.concat(parts);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'deep-field-names': {
      const name = `a${'[b]'.repeat(500 + Math.floor(r() * 2000))}`;
      const body = Buffer.concat([part(b, name, 'x'), part(b, '__proto__[polluted]', 'yes'), Buffer.from(`--${b}--\r\n`)]);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'aborted-stream':
      return { kind, head: request(path, host, ct, full), body: full, abortAfter: Math.floor(full.length * r()) };
    case 'length-mismatch':
      // Claims more than it sends, then hangs up (a server would otherwise wait for the rest).
      return { kind, head: request(path, host, ct, full, '', full.length + 5000), body: full, abortAfter: full.length };
    case 'no-boundary':
      return { kind, head: request(path, host, 'multipart/form-data', full), body: full };
    case 'text-as-video': {
      const body = Buffer.concat([fields, part(b, 'video', '<?php system($_GET["c"]); ?>'.repeat(50), 'clip.mp4'), Buffer.from(`--${b}--\r\n`)]);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'many-files': {
      const parts: Buffer[] = [fields];
      for (let k = 0; k < 20; k++) parts.push(part(b, 'video', MP4, `clip${k}.mp4`));
      parts.push(Buffer.from(`--${b}--\r\n`));
      const body = Buffer.concat(parts);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'long-and-traversal-filename': {
      const fname = r() < 0.5 ? '../../../../etc/passwd%00.mp4' : `${'ả'.repeat(5000)}.mp4`;
      const body = Buffer.concat([fields, part(b, 'video', MP4, fname), Buffer.from(`--${b}--\r\n`)]);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'garbage': {
      const body = Buffer.alloc(1000 + Math.floor(r() * 20000));
      for (let k = 0; k < body.length; k++) body[k] = Math.floor(r() * 256);
      return { kind, head: request(path, host, ct, body), body };
    }
    case 'bad-chunked': {
      const body = Buffer.from(`zz\r\n${full.subarray(0, 100).toString('latin1')}\r\n-5\r\n\r\n`, 'latin1');
      return { kind, head: request(path, host, ct, body, 'Transfer-Encoding: chunked\r\n', null), body };
    }
  }
}

/** Writes a raw case and resolves with the status line's code (0 when the server just closed). */
export function sendRaw(port: number, c: RawCase, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let answer = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve(m ? Number(m[1]) : 0);
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.length > 16) finish();
    });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('connect', () => {
      sock.write(c.head);
      if (c.abortAfter !== undefined) {
        sock.write(c.body.subarray(0, c.abortAfter), () => setTimeout(() => sock.destroy(), 20));
      } else {
        sock.write(c.body);
      }
    });
  });
}
