import type { MatrixPart } from '../../../helpers/permissions';
import { adminOnly, all, row, staffOnly } from '../../../helpers/permissions';
import { createStaff } from '../../../helpers/factories';

export const part: MatrixPart = {
  rows: {
    'GET /favicon.ico': all(301),
    'GET /healthz': all(200),
    'GET /lang/:code': all(303),
    'GET /': all(200),
    'GET /login': row({ anonymous: 200, judge: 303, organiser: 303, admin: 303 }),
    'POST /login': all(401),
    'POST /logout': all(303),
    'GET /staff': staffOnly(200),
    'GET /admin/accounts': adminOnly(200),
    // Forms: anonymous POSTs are refused (401 page for a non-GET), staff without the role get 403.
    'POST /admin/accounts': adminOnly(422, 401),
    'POST /admin/accounts/:id/disable': adminOnly(303, 401),
    'POST /admin/accounts/:id/enable': adminOnly(303, 401),
    'POST /admin/accounts/:id/role': adminOnly(303, 401),
  },
  async fixtures(db) {
    const target = await createStaff(db, { role: 'judge' });
    return { code: 'en', id: target.id };
  },
  body: { role: 'judge' },
};
