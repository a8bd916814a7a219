import { parseArgs } from 'node:util';
import { seedDemo } from '../contests/demo';
import { formatDateTime } from '../i18n/format';
import { run, withTaskDb } from './common';

/** npm run seed:demo [-- --historical]: the 2021 contest "Thời khắc khó quên", idempotently. */
run(async () => {
  const { values } = parseArgs({ options: { historical: { type: 'boolean', default: false } } });
  await withTaskDb(async (db, config) => {
    const r = await seedDemo(db.pool, { historical: values.historical });
    const c = r.contest;
    const base = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
    console.log(`${r.created ? 'Created' : 'Updated'} the demo contest “${c.title}” (${r.contests} contest with slug ${c.slug}).`);
    console.log(`  Public page:  ${base}/c/${c.slug}`);
    console.log(`  Window:       ${formatDateTime(c.opens_at, c.time_zone)} → ${formatDateTime(c.closes_at, c.time_zone)}`);
    console.log(`  Entries:      ${r.entriesAdded ? `${r.entriesAdded} demo entries added` : 'kept as they were'}`);
    console.log('');
    console.log(`Sign in at ${base}/login with (passwords are new on every run):`);
    for (const a of r.accounts) console.log(`  ${a.role.padEnd(9)}  ${a.email.padEnd(28)}  ${a.password}`);
  });
});
