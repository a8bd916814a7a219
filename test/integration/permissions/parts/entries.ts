import type { MatrixPart } from '../../../helpers/permissions';
import { all } from '../../../helpers/permissions';
import { createContest, createEntry } from '../../../helpers/factories';

/**
 * Entries: the public submission form, receipt, entrant's page and gallery answer everyone alike
 * (an entrant has no account); organiser pages and files are for organisers and admins only.
 * POSTs carry only `_csrf` here, so forms answer 422 (validation), and look-ups 200 (not found, re-rendered).
 */
export const part: MatrixPart = {
  rows: {
    'GET /c/:slug/submit': all(200),
    'POST /c/:slug/submit': all(422),
    'GET /c/:slug/receipt/:code': all(404),
    'POST /api/v1/contests/:slug/entries': all(422),
  },
  async fixtures(db) {
    const contest = await createContest(db, { slug: 'matrix-entries', code_prefix: 'MXE' });
    const entry = await createEntry(db, contest, { status: 'eligible' });
    return { slug: contest.slug, code: entry.code };
  },
};
