import type { MatrixPart } from '../../../helpers/permissions';
import { all, organiserOnly } from '../../../helpers/permissions';
import { createEntry, createStaff } from '../../../helpers/factories';
import {
  addResultsScoresheet, createResultsContest, createResultsPrizeTier, createResultsRound,
} from '../../../helpers/factories/results';
import { staffActor } from '../../../../src/audit/service';
import { listAwards, publishWinners, suggestWinners } from '../../../../src/results/winners';

/**
 * Results routes against a contest whose winners list is published: the public pages answer
 * everyone; organiser forms are refused, so the fixture does not change as the matrix runs: the
 * POSTs carry no fields (422, the form again with its messages) and a published list refuses
 * edits (409, the page again with the reason).
 */
const invalid = organiserOnly(422, 401);
const refused = organiserOnly(409, 401);

export const part: MatrixPart = {
  rows: {
    'GET /organiser/contests/:slug/results': organiserOnly(200),
    'GET /organiser/contests/:slug/results/rounds/:roundId/entries/:code': organiserOnly(200),
    'POST /organiser/contests/:slug/results/ties': invalid,
    'POST /organiser/contests/:slug/results/promote': invalid,
    'GET /organiser/contests/:slug/winners': organiserOnly(200),
    'POST /organiser/contests/:slug/winners/suggest': refused,
    'POST /organiser/contests/:slug/winners/awards': invalid,
    'POST /organiser/contests/:slug/winners/awards/:awardId/replace': invalid,
    'POST /organiser/contests/:slug/winners/awards/:awardId/remove': invalid,
    'GET /organiser/contests/:slug/winners/awards/:awardId/certificate.pdf': organiserOnly(200),
    'POST /organiser/contests/:slug/winners/publish': refused,
    'POST /organiser/contests/:slug/winners/unpublish': invalid,
    'GET /organiser/contests/:slug/exports/results.csv': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/results.xlsx': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/scoresheets.csv': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/scoresheets.xlsx': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/entries.csv': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/entries.xlsx': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/winners.xlsx': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/winners.csv': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/winners.pdf': organiserOnly(200),
    'GET /organiser/contests/:slug/exports/certificates.zip': organiserOnly(200),
    'GET /organiser/contests/:slug/audit': organiserOnly(200),
    'GET /organiser/contests/:slug/audit.csv': organiserOnly(200),
    'GET /c/:slug/winners': all(200),
    'GET /c/:slug/ceremony': all(200),
    'GET /api/v1/contests/:slug/winners': all(200),
  },
  async fixtures(db) {
    const contest = await createResultsContest(db, { state: 'judging', slug: 'results-matrix' });
    const round = await createResultsRound(db, contest);
    const judge = await createStaff(db, { role: 'judge' });
    const entry = await createEntry(db, contest, { status: 'eligible' });
    await addResultsScoresheet(db, round, entry.id, judge.id, [8]);
    await createResultsPrizeTier(db, contest, { name: 'Giải Nhất' });
    const actor = staffActor(await createStaff(db, { role: 'organiser' }));
    await suggestWinners(db.pool, contest, actor);
    await publishWinners(db.pool, contest, actor);
    const award = (await listAwards(db.pool, contest.id))[0]!;
    // The judge who scored the entry is this part's round judge: organiser pages and exports
    // are 403 to them as to any judge; the entrant of the awarded entry sees only public pages.
    return { params: { slug: contest.slug, roundId: round.id, code: entry.code, awardId: award.id }, judge: judge.id, entrant: entry.id };
  },
};
