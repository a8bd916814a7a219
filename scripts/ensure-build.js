#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source, so `npm start` works right after
// `npm install` on a fresh clone and never runs stale code.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

const sources = Math.max(
  newestMtime(path.join(root, 'src')),
  fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
  fs.statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
);
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (built < sources) {
  process.stderr.write('Building Clipjury (TypeScript → dist/)…\n');
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  fs.writeFileSync(stamp, new Date().toISOString());
}
