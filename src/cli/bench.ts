import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openBenchEnv, type Engine } from '../bench/env';
import { machineLine } from '../bench/machine';
import { SUITES } from '../bench/suites';
import type { BenchRow } from '../bench/types';
import { ROOT } from '../paths';
import { fail, run } from './common';

/**
 * `npm run bench [-- --engine embedded|server|both] [--only a,b] [--write]`
 * Runs each benchmark with its baseline in the same run, prints a Markdown table per engine,
 * and with --write puts it into BENCHMARKS.md between the generated-results markers.
 */
const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function table(rows: BenchRow[]): string {
  const head = '| benchmark | measure | value | baseline (same run) | goal | |\n|---|---|---|---|---|---|';
  const lines = rows.map((r) => `| ${r.benchmark} | ${r.measure} | ${r.value} | ${r.baseline ?? ''} | ${r.goal ?? ''} | ${r.pass === undefined ? '' : r.pass ? '✅' : '❌'} |`);
  return [head, ...lines].join('\n');
}

run(async () => {
  const { values } = parseArgs({ options: { engine: { type: 'string', default: 'both' }, only: { type: 'string' }, write: { type: 'boolean', default: false } } });
  const engines: Engine[] = values.engine === 'both' ? ['server', 'embedded'] : [values.engine as Engine];
  if (engines.some((e) => e !== 'server' && e !== 'embedded')) fail('--engine takes embedded, server or both', 2);
  const wanted = values.only?.split(',').map((s) => s.trim());
  const suites = wanted ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
  if (!suites.length) fail(`no such benchmark; known: ${SUITES.map((s) => s.name).join(', ')}`, 2);

  const sections: string[] = [];
  for (const engine of engines) {
    const rows: BenchRow[] = [];
    const machine = machineLine(engine === 'embedded' ? 'embedded PGlite 0.5 (PostgreSQL 18, WebAssembly)' : 'PostgreSQL server at 127.0.0.1:5432');
    console.log(`\n## ${engine}: ${machine}`);
    for (const suite of suites) {
      const env = await openBenchEnv(engine, suite.env);
      const t0 = Date.now();
      try {
        console.log(`- ${suite.name}: ${suite.describe}`);
        rows.push(...(await suite.run(env, (l) => console.log(`  ${l}`))));
      } catch (err) {
        rows.push({ benchmark: suite.name, measure: 'failed', value: (err as Error).message.slice(0, 200), pass: false });
        console.error(err);
      } finally {
        await env.close();
      }
      console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    const section = `### ${engine === 'embedded' ? 'Embedded engine' : 'PostgreSQL server'}\n\n${machine}\n\nCommand: \`npm run bench -- --engine ${engine}${wanted ? ` --only ${wanted.join(',')}` : ''}\`\n\n${table(rows)}\n`;
    console.log(`\n${section}`);
    sections.push(section);
  }
  if (values.write) {
    const file = path.join(ROOT, 'BENCHMARKS.md');
    const text = fs.readFileSync(file, 'utf8');
    const i = text.indexOf(START);
    const j = text.indexOf(END);
    if (i < 0 || j < 0) fail(`BENCHMARKS.md lacks the ${START} … ${END} markers`);
    // Keep the other engine's table when only one engine ran.
    const kept = text.slice(i + START.length, j).split(/\n(?=### )/).filter((s) => s.startsWith('### ') && !engines.some((e) => s.startsWith(`### ${e === 'embedded' ? 'Embedded engine' : 'PostgreSQL server'}`)));
    const all = [...sections, ...kept.map((s) => `${s.trim()}\n`)].sort((a, b) => (a.startsWith('### PostgreSQL') ? -1 : b.startsWith('### PostgreSQL') ? 1 : 0));
    fs.writeFileSync(file, `${text.slice(0, i + START.length)}\n${all.join('\n')}\n${text.slice(j)}`);
    console.log('BENCHMARKS.md updated.');
  }
});
