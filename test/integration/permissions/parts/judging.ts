import type { MatrixPart, Row } from '../../../helpers/permissions';
import { organiserOnly, row } from '../../../helpers/permissions';
import { createJudgingRound } from '../../../helpers/factories/judging';
import { one, withTransaction } from '../../../../src/db';
import { openRound } from '../../../../src/judging/service';

/**
 * Judge screens: the judge of another round and the admin (a judge everywhere by role, on no
 * panel here) get 404 for this round and its entries, exactly like an unknown id; the judge the
 * fixture puts on this round's panel gets the page. Organisers are not judges: 403.
 */
const judgeScreen = (other: number, own: number): Row => row({ anonymous: 303, judge: other, organiser: 403, admin: other }, { roundJudge: own });
const judgeWrite = (own: number): Row => row({ anonymous: 401, judge: 404, organiser: 403, admin: 404 }, { roundJudge: own });
const judgeApi = (anon: number, own: number): Row => row({ anonymous: anon, judge: 404, organiser: 403, admin: 404 }, { roundJudge: own });

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
    'GET /judging': judgeScreen(200, 200),
    'GET /judging/rounds/:roundId': judgeScreen(404, 200),
    'GET /judging/rounds/:roundId/entries/:code': judgeScreen(404, 200),
    // The matrix posts no scores: the round's judge gets the form back with its messages (422).
    'POST /judging/rounds/:roundId/entries/:code': judgeWrite(422),
    // Runs last in each pass (the matrix orders it so): it really takes the entry off the queue.
    'POST /judging/rounds/:roundId/entries/:code/conflict': judgeWrite(303),
    // The fixture entry has no stored file (a link entry): 404 for its own judge too; the files
    // themselves are in idor.test.ts.
    'GET /judging/rounds/:roundId/entries/:code/video': judgeScreen(404, 404),
    'GET /api/v1/judging/rounds/:roundId/entries/:code': judgeApi(401, 200),
    'POST /api/v1/judging/rounds/:roundId/entries/:code/scoresheet': judgeApi(401, 422),
  },
  async fixtures(db) {
    const f = await createJudgingRound(db, { judges: 2, entries: 2 });
    await withTransaction(db.pool, (tx) => openRound(tx, f.roundId, { id: null, label: 'matrix' }));
    const judge = f.judges[0]!;
    const entry = f.entries[0]!;
    // The scoresheet the organiser opens is the round judge's sheet of the OTHER entry: declaring a
    // conflict on the first entry (the judge's pass) removes that entry's draft.
    const a = await one<{ id: number }>(db.pool, 'SELECT id FROM assignments WHERE round_id = $1 AND judge_id = $2 AND entry_id = $3', [f.roundId, judge.id, f.entries[1]!.id]);
    const sheet = await one<{ id: number }>(
      db.pool,
      `INSERT INTO scoresheets (assignment_id, round_id, entry_id, judge_id, status) SELECT id, round_id, entry_id, judge_id, 'draft' FROM assignments WHERE id = $1 RETURNING id`,
      [a.id],
    );
    return {
      params: { slug: f.contest.slug, roundId: f.roundId, criterionId: f.criteria[0]!, judgeId: f.judges[1]!.id, assignmentId: a.id, sheetId: sheet.id, code: entry.code },
      judge: judge.id,
      entrant: entry.id,
    };
  },
  body: { name: 'Vòng ma trận', reason: 'Ma trận', label: 'Lý do ma trận' },
};
