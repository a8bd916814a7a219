import type { MatrixPart } from '../../../helpers/permissions';
import { all, organiserOnly } from '../../../helpers/permissions';
import { createContest, createEntry } from '../../../helpers/factories/contests';
import { createMetricsPrizeTier } from '../../../helpers/factories/metrics';
import { one } from '../../../../src/db';

export const part: MatrixPart = {
  rows: {
    'GET /organiser/contests/:slug/dashboard': organiserOnly(200),
    'GET /organiser/contests/:slug/dashboard/export': organiserOnly(200),
    'GET /organiser/contests/:slug/dashboard/posted': organiserOnly(200),
    'GET /organiser/contests/:slug/metrics': organiserOnly(200),
    // No file in the form: the upload screen comes back with its error.
    'POST /organiser/contests/:slug/metrics/imports': organiserOnly(422, 401),
    // An unknown upload token: back to the imports page with a message.
    'POST /organiser/contests/:slug/metrics/imports/pending/:token': organiserOnly(303, 401),
    'GET /organiser/contests/:slug/metrics/jobs/:job': organiserOnly(404),
    'GET /organiser/contests/:slug/metrics/imports/:id': organiserOnly(200),
    'GET /organiser/contests/:slug/metrics/imports/:id/report': organiserOnly(200),
    'GET /organiser/contests/:slug/metrics/entries/:code': organiserOnly(200),
    // The matrix posts no figures: the form comes back with a message per field.
    'POST /organiser/contests/:slug/metrics/entries/:code': organiserOnly(422, 401),
    'GET /organiser/contests/:slug/peoples-choice': organiserOnly(200),
    'POST /organiser/contests/:slug/peoples-choice/:tier': organiserOnly(303, 401),
    'GET /c/:slug/stats': all(200),
  },
  async fixtures(db) {
    const contest = await createContest(db, { slug: 'matrix-metrics', code_prefix: 'MTRX' });
    const entry = await createEntry(db, contest);
    const imp = await one<{ id: number }>(db.pool, `INSERT INTO metric_imports (contest_id, file_name, sha256) VALUES ($1, 'x.csv', 'abc') RETURNING id`, [contest.id]);
    const tier = await createMetricsPrizeTier(db, contest.id);
    return { slug: contest.slug, token: '00000000-0000-0000-0000-000000000000', job: 'unknown-job', id: imp.id, code: entry.code, tier: tier.id };
  },
};
