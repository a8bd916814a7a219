import { withTaskDb, run } from './common';
import { migrate } from '../db/migrate';

run(async () => {
  await withTaskDb(async (db) => {
    const applied = await migrate(db.pool);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the database is up to date.');
    console.log(`Database: ${db.description}`);
  }, { migrate: false });
});
