import type { MatrixPart, Row } from '../../../helpers/permissions';
import { organiserOnly } from '../../../helpers/permissions';
import { createJudgingRound } from '../../../helpers/factories/judging';
import { one, withTransaction } from '../../../../src/db';
import { openRound } from '../../../../src/judging/service';

/** Judge screens: the matrix's judge sits on no panel, so every round and entry is a 404 to them. */
const judgeScreen = (ok: number): Row => ({ anonymous: 303, judge: ok, organiser: 403, admin: ok });
const judgeWrite: Row = { anonymous: 401, judge: 404, organiser: 403, admin: 404 };
const judgeApi = (anon: number): Row => ({ anonymous: anon, judge: 404, organiser: 403, admin: 404 });

export const part: MatrixPart = {
  rows: {
    'GET /organiser/contests/:slug/screening': organiserOnly(200),
    'POST /organiser/contests/:slug/screening/decide': organiserOnly(303, 401),
    'POST /organiser/contests/:slug/screening/reasons': organiserOnly(303, 401),
    'GET /organiser/contests/:slug/rounds': organiserOnly(200),
    'POST /organiser/contests/:slug/rounds': organiserOnly(303, 401),
    'POST /organiser/contests/:slug/conflicts': organiserOnly(303, 401),
    'GET /organiser/rounds/:roundId': organiserOnly(200),
    'POST /organiser/rounds/:roundId/criteria': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/criteria/:criterionId/delete': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/judges': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/judges/:judgeId/remove': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/open': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/close': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/refresh': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/remind': organiserOnly(303, 401),
    'POST /organiser/rounds/:roundId/assignments/:assignmentId/move': organiserOnly(303, 401),
    'GET /organiser/rounds/:roundId/progress': organiserOnly(200),
    'GET /organiser/rounds/:roundId/scoresheets/:sheetId': organiserOnly(200),
    'GET /judging': judgeScreen(200),
    'GET /judging/rounds/:roundId': judgeScreen(404),
    'GET /judging/rounds/:roundId/entries/:code': judgeScreen(404),
    'POST /judging/rounds/:roundId/entries/:code': judgeWrite,
    'POST /judging/rounds/:roundId/entries/:code/conflict': judgeWrite,
    'GET /judging/rounds/:roundId/entries/:code/video': judgeScreen(404),
    'GET /api/v1/judging/rounds/:roundId/entries/:code': judgeApi(401),
    'POST /api/v1/judging/rounds/:roundId/entries/:code/scoresheet': judgeApi(401),
  },
  async fixtures(db) {
    const f = await createJudgingRound(db, { judges: 2, entries: 2 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'matrix' }));
    const a = await one<{ id: number }>(db.pool, 'SELECT id FROM assignments WHERE round_id = $1 ORDER BY id LIMIT 1', [f.roundId]);
    const sheet = await one<{ id: number }>(
      db.pool,
      `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status) SELECT id, round_id, entry_id, judge_id, 'draft' FROM assignments WHERE id = $1 RETURNING id`,
      [a.id],
    );
    return {
      slug: f.contest.slug, roundId: f.roundId, criterionId: f.criteria[0]!, judgeId: f.judges[1]!.id, assignmentId: a.id, sheetId: sheet.id, code: f.entries[0]!.code,
    };
  },
  body: { name: 'Vòng ma trận', reason: 'Ma trận', label: 'Lý do ma trận' },
};
