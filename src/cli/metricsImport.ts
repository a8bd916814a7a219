import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '../audit/service';
import { findContestBySlug } from '../contests/queries';
import { AppError } from '../http/errors';
import { translate } from '../i18n';
import { zonedLocalToUtc } from '../i18n/format';
import { importSnapshots } from '../metrics/importer';
import { fail, run, withTaskDb } from './common';

const USAGE = 'usage: npm run metrics:import -- --contest SLUG --file FILE.csv|FILE.xlsx [--captured-at "2021-09-03 10:00"] [--stats]';

/**
 * Imports an engagement export from the command line, through the running portal when there is
 * one (embedded engine) or straight into the database. Progress goes to stderr, the report to stdout.
 */
run(async () => {
  const { values } = parseArgs({ options: { contest: { type: 'string' }, file: { type: 'string' }, 'captured-at': { type: 'string' }, stats: { type: 'boolean', default: false } } });
  if (!values.contest || !values.file) fail(USAGE, 2);
  const file = path.resolve(values.file);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) fail(`No such file: ${file}`, 2);
  await withTaskDb(async (db) => {
    const contest = await findContestBySlug(db.pool, values.contest as string);
    if (!contest) fail(`No contest with the slug ${values.contest}`, 2);
    let capturedAt: Date | undefined;
    if (values['captured-at']) {
      try {
        const raw = values['captured-at'];
        capturedAt = /[zZ]|[+-]\d{2}:?\d{2}$/.test(raw) ? new Date(raw) : zonedLocalToUtc(raw, contest.time_zone);
        if (Number.isNaN(capturedAt.getTime())) throw new RangeError(raw);
      } catch {
        fail(`--captured-at: not a date and time: ${values['captured-at']}`, 2);
      }
    }
    const tty = process.stderr.isTTY;
    const rssStart = process.memoryUsage().rss;
    let rssPeak = rssStart;
    const sample = () => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    };
    const sampler = values.stats ? setInterval(sample, 20) : undefined;
    const t0 = performance.now();
    try {
      const r = await importSnapshots(db.pool, {
        contest,
        filePath: file,
        fileName: path.basename(file),
        capturedAt,
        actor: { ...SYSTEM_ACTOR, label: 'cli' },
        onProgress: (p) => {
          sample();
          const pct = p.totalBytes ? Math.round((100 * p.bytesRead) / p.totalBytes) : 100;
          process.stderr.write(`${tty ? '\r' : ''}${pct}% · ${p.rowsRead} rows read${tty ? '' : '\n'}`);
        },
      });
      if (tty) process.stderr.write('\n');
      if (values.stats) {
        // For the benchmark: this process's time and its memory growth while importing (RSS
        // sampled every 20 ms and at each progress report, against the RSS before the import).
        sample();
        clearInterval(sampler);
        console.log(`stats ${JSON.stringify({ ms: Math.round(performance.now() - t0), rssStartMb: Math.round(rssStart / 1e6), rssGrowthMb: Math.round((rssPeak - rssStart) / 1e6), ...r })}`);
      }
      console.log(`Import #${r.importId} into ${contest.slug}: ${r.rowsRead} rows read, ${r.accepted} accepted, ${r.skipped} skipped (${r.duplicates} already imported), ${r.refused} refused.`);
      if (r.sameFileAs) console.log(`This file was imported before (import #${r.sameFileAs}); nothing new was added from it.`);
    } catch (err) {
      if (err instanceof AppError) fail(translate('en', err.messageKey, err.params), 1);
      throw err;
    }
  });
});
