import type { MatrixPart } from '../../../helpers/permissions';
import { all, organiserOnly } from '../../../helpers/permissions';
import { createContest, createEntry } from '../../../helpers/factories';

/**
 * Entries: the public submission form, receipt and gallery answer everyone alike; the entrant's
 * page answers only the browser that opened the entry's private link (the matrix's entrant; an
 * entrant has no account); organiser pages and files are for organisers and admins only.
 * POSTs carry only `_csrf` here, so forms answer 422 (validation), and look-ups 200 (not found, re-rendered).
 */
export const part: MatrixPart = {
  rows: {
    'GET /c/:slug/submit': all(200),
    'POST /c/:slug/submit': all(422),
    'GET /c/:slug/receipt/:code': all(404),
    'POST /api/v1/contests/:slug/entries': all(422),
    'GET /api/v1/contests/:slug/entries': all(200),
    'GET /c/:slug/my': all(200),
    'POST /c/:slug/my': all(422),
    // Without the secret link or a successful look-up, an entry is invisible (404 like an unknown
    // code); the entrant who opened the link sees it and may change it.
    'GET /c/:slug/my/:code': all(404, { entrant: 200 }),
    // The matrix posts no fields (422: a message per field) and no file (422); withdrawing works
    // (303 back to the page) and runs last in the entrant's pass.
    'POST /c/:slug/my/:code': all(404, { entrant: 422 }),
    'POST /c/:slug/my/:code/withdraw': all(404, { entrant: 303 }),
    'POST /c/:slug/my/:code/video': all(404, { entrant: 422 }),
    // The entrant's own details: no fields posted, so no contact (422).
    'POST /c/:slug/my/:code/details': all(404, { entrant: 422 }),
    // Asking for a one-time sign-in link without an email: 422. No token (or one nobody issued)
    // answers the "used or expired" page (410), to the entrant too: the link is the credential.
    'POST /c/:slug/my-link': all(422),
    'GET /c/:slug/my-link': all(410),
    'POST /c/:slug/my-link/use': all(410),
    'GET /c/:slug/gallery': all(200),
    'GET /c/:slug/gallery/:code': all(200),
    'GET /organiser/contests/:slug/entries': organiserOnly(200),
    'GET /organiser/contests/:slug/entries/:code': organiserOnly(200),
    'GET /organiser/contests/:slug/entries/:code/video': organiserOnly(404),
    'GET /organiser/outbox': organiserOnly(200),
  },
  async fixtures(db) {
    const contest = await createContest(db, { slug: 'matrix-entries', code_prefix: 'MXE' });
    const entry = await createEntry(db, contest, { status: 'eligible' });
    return { params: { slug: contest.slug, code: entry.code }, entrant: entry.id };
  },
};
