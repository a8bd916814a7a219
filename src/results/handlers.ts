import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { staffActor } from '../audit/service';
import { isOrganiser } from '../accounts/policy';
import { loadContestForOrganiser, loadVisibleContest } from '../contests/access';
import type { ContestRow } from '../contests/queries';
import { currentUser } from '../http/auth';
import { AppError, NotFoundError, ValidationError } from '../http/errors';
import { flash, render } from '../http/render';
import { parseOrThrow, tryParse } from '../http/validate';
import { createZip } from '../types/archiver7';
import { listAuditPage, auditCsv } from './audit';
import {
  certificateFileName, certificatePdf, entriesCsv, entriesTable, resultsCsv, resultsXlsx, scoresheetsCsv, scoresheetsTable, tableXlsx,
  winnersCsv, winnersPdf, winnersTable,
} from './exports';
import { entrySheets, findEntryByCode, listCategories, listCriteria } from './queries';
import {
  addAwardSchema, auditQuerySchema, exportQuerySchema, promoteSchema, reasonSchema, replaceAwardSchema, resultsQuerySchema, tieSchema,
} from './schemas';
import { cachedResults, decideTie, loadRound, promoteEntries, scoringRounds, SPREAD_SHARE, PAGE_SIZE } from './service';
import {
  addAward, listAwards, listPrizeTiers, publicWinners, publishWinners, removeAward, replaceAward, suggestWinners, unpublishWinners,
  winnersListState, PUBLIC_ENTRANT_FIELDS,
} from './winners';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const slugOf = (req: Request) => String(req.params.slug ?? '');
const base = (c: ContestRow) => `/organiser/contests/${encodeURIComponent(c.slug)}`;

/** A flash message survives the redirect only once the session is saved. */
function redirectWithFlash(req: Request, res: Response, kind: 'success' | 'error' | 'info', texts: string[], to: string): void {
  for (const text of texts) flash(req, kind, text);
  if (!req.session) return res.redirect(303, to);
  req.session.save(() => res.redirect(303, to));
}

/** An expected refusal (validation or conflict) on a small form: said in a flash, back to the page. */
function refusalTexts(req: Request, err: unknown): string[] | undefined {
  if (err instanceof ValidationError) return Object.values(err.fieldErrors).map((k) => req.t(k));
  if (err instanceof AppError && (err.status === 409 || err.status === 404)) return [req.t(err.messageKey === 'error.404' ? 'winners.entryNotFound' : err.messageKey, err.params)];
  return undefined;
}

async function attempt(req: Request, res: Response, to: string, fn: () => Promise<string[]>): Promise<void> {
  try {
    const ok = await fn();
    redirectWithFlash(req, res, 'success', ok, to);
  } catch (err) {
    const texts = refusalTexts(req, err);
    if (!texts) throw err;
    redirectWithFlash(req, res, 'error', texts, to);
  }
}

function sendDownload(res: Response, body: string | Buffer, type: string, fileName: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

export function resultsHandlers(pool: Pool) {
  const actorOf = (req: Request) => staffActor(currentUser(req), String(req.id));

  return {
    leaderboard: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const query = tryParse(resultsQuerySchema, req.query);
      const q = query.ok ? query.data : resultsQuerySchema.parse({});
      const rounds = await scoringRounds(pool, contest.id);
      const categories = await listCategories(pool, contest.id);
      if (!rounds.length) {
        return render(res, 'results/leaderboard', { title: req.t('results.title', { contest: contest.title }), contest, rounds, categories, round: null, q, page: null, criteria: [], missingCount: 0, base: base(contest), styles: ['results.css'] });
      }
      const round = await loadRound(pool, contest, q.round);
      const page = await cachedResults(pool, contest, round, {
        method: q.method, categoryId: q.category ?? null, spreadOnly: q.flag === 'spread', tiedOnly: q.flag === 'tied', page: q.page,
      });
      const missingCount = page.rows[0]?.missing_entries ?? 0;
      const criteria = await listCriteria(pool, round.id);
      await render(res, 'results/leaderboard', {
        title: req.t('results.title', { contest: contest.title }), contest, rounds, categories, round, q, page, criteria, missingCount,
        spreadShare: Math.round(SPREAD_SHARE * 100), pageSize: PAGE_SIZE, base: base(contest), styles: ['results.css'],
        scale: criteria.length ? { min: Math.min(...criteria.map((c) => c.scale_min)), max: Math.max(...criteria.map((c) => c.scale_max)) } : null,
      });
    },

    entrySheets: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const round = await loadRound(pool, contest, Number(req.params.roundId) || -1);
      const entry = await findEntryByCode(pool, contest.id, String(req.params.code));
      if (!entry) throw new NotFoundError('entry_not_found');
      const [sheets, criteria] = await Promise.all([entrySheets(pool, round.id, entry.id), listCriteria(pool, round.id)]);
      await render(res, 'results/sheets', { title: req.t('results.sheetsTitle', { code: entry.code }), contest, round, entry, sheets, criteria, base: base(contest), styles: ['results.css'] });
    },

    decideTie: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const roundParam = typeof req.body?.round === 'string' ? `?round=${encodeURIComponent(req.body.round)}` : '';
      await attempt(req, res, `${base(contest)}/results${roundParam}`, async () => {
        const body = parseOrThrow(tieSchema, req.body);
        const round = await loadRound(pool, contest, body.round);
        const ids: number[] = [];
        for (const code of body.codes) {
          const e = await findEntryByCode(pool, contest.id, code);
          if (!e) throw new ValidationError({ codes: 'winners.entryNotFound' });
          ids.push(e.id);
        }
        await decideTie(pool, contest, round, ids, actorOf(req), body.method);
        return [req.t('results.tieDecided')];
      });
    },

    promote: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const parsed = tryParse(promoteSchema, req.body);
      const roundParam = typeof req.body?.round === 'string' ? `?round=${encodeURIComponent(req.body.round)}` : '';
      const to = `${base(contest)}/results${roundParam}`;
      await attempt(req, res, to, async () => {
        if (!parsed.ok) throw new ValidationError(parsed.errors);
        const body = parsed.data;
        const round = await loadRound(pool, contest, body.round);
        let mode;
        if (body.mode === 'selected') {
          const ids: number[] = [];
          for (const code of body.codes ?? []) {
            const e = await findEntryByCode(pool, contest.id, code);
            if (!e) throw new ValidationError({ codes: 'winners.entryNotFound' });
            ids.push(e.id);
          }
          if (!ids.length) throw new ValidationError({ codes: 'results.nothingToPromote' });
          mode = { kind: 'selected' as const, entryIds: ids };
        } else {
          if (!body.n) throw new ValidationError({ n: 'form.required' });
          mode = { kind: body.mode, n: body.n };
        }
        const r = await promoteEntries(pool, contest, round, mode, actorOf(req), body.method);
        return [req.t('results.promoted', { n: r.promoted.length, round: r.target.name })];
      });
    },

    manageWinners: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const [list, tiers, awards] = await Promise.all([winnersListState(pool, contest.id), listPrizeTiers(pool, contest.id), listAwards(pool, contest.id)]);
      await render(res, 'results/manage', {
        title: req.t('winners.manageTitle', { contest: contest.title }), contest, list, tiers, awards, base: base(contest),
        styles: ['results.css'],
      });
    },

    suggest: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const method = req.body?.method === 'normalised' ? 'normalised' : 'plain';
      await attempt(req, res, `${base(contest)}/winners`, async () => {
        const r = await suggestWinners(pool, contest, actorOf(req), method);
        return [
          req.t('winners.suggested', { n: r.awards }),
          ...r.tiesAtCutoff.map((x) => req.t('winners.tieAtCutoff', { tier: x.tier, codes: x.codes.join(', ') })),
          ...r.short.map((x) => req.t('winners.short', { tier: x.tier, n: x.missing })),
        ];
      });
    },

    addAward: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await attempt(req, res, `${base(contest)}/winners`, async () => {
        const body = parseOrThrow(addAwardSchema, req.body);
        await addAward(pool, contest, body, actorOf(req));
        return [req.t('winners.saved')];
      });
    },

    replaceAward: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const awardId = Number(req.params.awardId);
      if (!Number.isSafeInteger(awardId)) throw new NotFoundError();
      await attempt(req, res, `${base(contest)}/winners`, async () => {
        const body = parseOrThrow(replaceAwardSchema, req.body);
        await replaceAward(pool, contest, awardId, body, actorOf(req));
        return [req.t('winners.saved')];
      });
    },

    removeAward: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const awardId = Number(req.params.awardId);
      if (!Number.isSafeInteger(awardId)) throw new NotFoundError();
      await attempt(req, res, `${base(contest)}/winners`, async () => {
        const body = parseOrThrow(reasonSchema, req.body);
        await removeAward(pool, contest, awardId, body.reason, actorOf(req));
        return [req.t('winners.saved')];
      });
    },

    publish: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await attempt(req, res, `${base(contest)}/winners`, async () => {
        await publishWinners(pool, contest, actorOf(req));
        return [req.t('winners.published')];
      });
    },

    unpublish: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await attempt(req, res, `${base(contest)}/winners`, async () => {
        const body = parseOrThrow(reasonSchema, req.body);
        await unpublishWinners(pool, contest, body.reason, actorOf(req));
        return [req.t('winners.unpublished')];
      });
    },

    exportResultsCsv: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const q = parseOrThrow(exportQuerySchema, req.query);
      const round = await loadRound(pool, contest, q.round);
      sendDownload(res, await resultsCsv(pool, contest, round, q.method), 'text/csv; charset=utf-8', `${contest.slug}-results-${round.position}.csv`);
    },

    exportResultsXlsx: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const q = parseOrThrow(exportQuerySchema, req.query);
      const round = await loadRound(pool, contest, q.round);
      sendDownload(res, await resultsXlsx(pool, contest, round, q.method), XLSX, `${contest.slug}-results-${round.position}.xlsx`);
    },

    exportScoresheetsCsv: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const q = parseOrThrow(exportQuerySchema, req.query);
      const round = await loadRound(pool, contest, q.round);
      sendDownload(res, await scoresheetsCsv(pool, round), 'text/csv; charset=utf-8', `${contest.slug}-scoresheets-${round.position}.csv`);
    },

    exportScoresheetsXlsx: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const q = parseOrThrow(exportQuerySchema, req.query);
      const round = await loadRound(pool, contest, q.round);
      sendDownload(res, await tableXlsx(await scoresheetsTable(pool, round)), XLSX, `${contest.slug}-scoresheets-${round.position}.xlsx`);
    },

    exportEntriesXlsx: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      sendDownload(res, await tableXlsx(await entriesTable(pool, contest)), XLSX, `${contest.slug}-entries.xlsx`);
    },

    exportWinnersXlsx: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      sendDownload(res, await tableXlsx(winnersTable(await listAwards(pool, contest.id))), XLSX, `${contest.slug}-winners.xlsx`);
    },

    exportEntriesCsv: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      sendDownload(res, await entriesCsv(pool, contest), 'text/csv; charset=utf-8', `${contest.slug}-entries.csv`);
    },

    exportWinnersCsv: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      sendDownload(res, winnersCsv(await listAwards(pool, contest.id)), 'text/csv; charset=utf-8', `${contest.slug}-winners.csv`);
    },

    exportWinnersPdf: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      sendDownload(res, await winnersPdf(contest, await listAwards(pool, contest.id), req.t), 'application/pdf', `${contest.slug}-winners.pdf`);
    },

    certificate: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const award = (await listAwards(pool, contest.id)).find((a) => a.id === Number(req.params.awardId));
      if (!award) throw new NotFoundError('award_not_found');
      sendDownload(res, await certificatePdf(contest, award, req.t), 'application/pdf', certificateFileName(award));
    },

    certificatesZip: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const awards = await listAwards(pool, contest.id);
      const pdfs: { name: string; pdf: Buffer }[] = [];
      for (const a of awards) pdfs.push({ name: certificateFileName(a), pdf: await certificatePdf(contest, a, req.t) });
      res.setHeader('Content-Type', 'application/zip');
      res.setHeader('Content-Disposition', `attachment; filename="${contest.slug}-certificates.zip"`);
      res.setHeader('Cache-Control', 'no-store');
      const zip = createZip();
      await new Promise<void>((resolve, reject) => {
        zip.on('error', reject);
        res.on('finish', () => resolve());
        res.on('close', () => resolve());
        zip.pipe(res);
        for (const p of pdfs) zip.append(p.pdf, { name: p.name });
        zip.finalize().catch(reject);
      });
    },

    audit: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const q = auditQuerySchema.parse(req.query);
      const page = await listAuditPage(pool, contest.id, q.action, q.page);
      await render(res, 'results/audit', { title: req.t('audit.title', { contest: contest.title }), contest, q, ...page, base: base(contest), styles: ['results.css'] });
    },

    auditCsv: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const q = auditQuerySchema.parse(req.query);
      sendDownload(res, await auditCsv(pool, contest.id, q.action), 'text/csv; charset=utf-8', `${contest.slug}-audit.csv`);
    },

    publicWinnersPage: async (req: Request, res: Response) => {
      const contest = await loadVisibleContest(pool, slugOf(req), req.user);
      const tiers = await publicWinners(pool, contest);
      if (!tiers) throw new NotFoundError('winners_not_published');
      await render(res, 'results/public', {
        title: req.t('winners.publicTitle', { contest: contest.title }), contest, tiers, fieldNames: Object.keys(PUBLIC_ENTRANT_FIELDS),
        styles: ['results.css'], scripts: ['winners.js'],
        meta: { title: req.t('winners.publicTitle', { contest: contest.title }), description: contest.summary },
      });
    },

    publicWinnersApi: async (req: Request, res: Response) => {
      const contest = await loadVisibleContest(pool, slugOf(req), undefined);
      const tiers = await publicWinners(pool, contest);
      if (!tiers) throw new NotFoundError('winners_not_published');
      res.json({ contest: { slug: contest.slug, title: contest.title }, tiers });
    },

    ceremony: async (req: Request, res: Response) => {
      const contest = await loadVisibleContest(pool, slugOf(req), req.user);
      let tiers = await publicWinners(pool, contest);
      let draft = false;
      if (!tiers) {
        // Before publication only organisers may rehearse, from the draft.
        if (!isOrganiser(req.user)) throw new NotFoundError('winners_not_published');
        draft = true;
        tiers = await draftTiers(pool, contest);
      }
      res.render('results/ceremony', { contest, tiers: [...tiers].reverse(), draft, presenter: req.query.presenter === '1', title: req.t('ceremony.title') });
    },
  };
}

/** The draft as the ceremony shows it (organisers rehearsing): same shape and fields as the public list. */
async function draftTiers(pool: Pool, contest: ContestRow) {
  const awards = await listAwards(pool, contest.id);
  const fields = (contest.public_fields ?? []).filter((f) => f in PUBLIC_ENTRANT_FIELDS);
  const tiers: { prize: string; winners: { prize: string; code: string; title: string; videoId: string | null; rank: number | null; entrant: Record<string, string> }[] }[] = [];
  for (const a of awards) {
    let tier = tiers.find((x) => x.prize === a.tier_name);
    if (!tier) {
      tier = { prize: a.tier_name, winners: [] };
      tiers.push(tier);
    }
    const entrant: Record<string, string> = {};
    if (fields.includes('displayName') && a.display_name) entrant.displayName = a.display_name;
    if (fields.includes('fullName')) entrant.fullName = a.full_name;
    tier.winners.push({ prize: a.tier_name, code: a.code, title: a.title, videoId: a.video_id, rank: a.rank, entrant });
  }
  return tiers;
}
