#!/usr/bin/env node
// Runs a command-line task from dist/cli (built first when needed): `node scripts/task.js migrate`.
'use strict';
const path = require('node:path');
require('./ensure-build.js');
const name = process.argv[2];
if (!name || !/^[\w-]+$/.test(name)) {
  console.error('usage: node scripts/task.js <task> [args…]');
  process.exit(2);
}
process.argv.splice(2, 1);
require(path.join(__dirname, '..', 'dist', 'cli', `${name}.js`));
