import type { MatrixPart } from '../../../helpers/permissions';
import { all, organiserOnly } from '../../../helpers/permissions';
import { createContest } from '../../../helpers/factories';

export const part: MatrixPart = {
  rows: {
    'GET /manage': organiserOnly(303),
    'GET /organiser/contests': organiserOnly(200),
    'GET /organiser/contests/new': organiserOnly(200),
    // An empty form is refused with its messages; anonymous non-GETs get 401, judges 403.
    'POST /organiser/contests': organiserOnly(422, 401),
    'GET /organiser/contests/:id/edit': organiserOnly(200),
    'POST /organiser/contests/:id': organiserOnly(422, 401),
    // Archiving a published contest is refused: back to the form with a message.
    'POST /organiser/contests/:id/state': organiserOnly(303, 401),
    // No file in the form: back to the form with a message.
    'POST /organiser/contests/:id/banner': organiserOnly(303, 401),
    'GET /c/:slug': all(200),
    'GET /c/:slug/rules': all(200),
    // The fixture contest has no banner.
    'GET /c/:slug/banner': all(404),
    'GET /api/v1/contests': all(200),
    'GET /api/v1/contests/:slug': all(200),
  },
  async fixtures(db) {
    const c = await createContest(db, { slug: 'matrix-contest' });
    return { id: c.id, slug: c.slug };
  },
  body: { action: 'archive' },
};
