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

/**
 * A small form of the results pages, rejected: the page is shown again (422 for what was typed,
 * 409 / 404 for the state of things) with the form holding what was typed and each message next
 * to its field. `id` names the form on the page (one page has several: an award's replace and
 * remove forms, one add form per tier).
 */
export interface FormState {
  id: string;
  values: Record<string, string>;
  /** Field name → message, already in the reader's language; `_form` for the form as a whole. */
  errors: Record<string, string>;
}

/** What the views call: the value to show in a field, and its message. */
export function formHelpers(form: FormState | null) {
  return {
    value: (id: string, name: string, fallback = '') => (form && form.id === id && form.values[name] !== undefined ? form.values[name] : fallback),
    error: (id: string, name: string) => (form && form.id === id ? form.errors[name] : undefined),
    isOpen: (id: string) => form?.id === id,
  };
}

const typed = (body: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) if (typeof v === 'string' && k !== '_csrf') out[k] = v;
  return out;
};

/**
 * The form state for an expected refusal, or undefined for anything else (left to the error
 * handler). Messages on fields the form does not show, and conflicts, go to the field `aliases`
 * names for them, else to `_form`.
 */
function refusal(req: Request, err: unknown, id: string, fields: string[], aliases: Record<string, string> = {}): { status: number; form: FormState } | undefined {
  const place = (key: string) => {
    const f = aliases[key] ?? key;
    return fields.includes(f) ? f : '_form';
  };
  const errors: Record<string, string> = {};
  const put = (field: string, text: string) => {
    errors[field] = errors[field] ? `${errors[field]} ${text}` : text;
  };
  let status: number;
  if (err instanceof ValidationError) {
    status = 422;
    for (const [k, key] of Object.entries(err.fieldErrors)) put(place(k), req.t(key));
  } else if (err instanceof AppError && (err.status === 409 || err.status === 404)) {
    status = err.status;
    put(place(err.code), req.t(err.messageKey === 'error.404' ? 'winners.entryNotFound' : err.messageKey, err.params));
  } else {
    return undefined;
  }
  return { status, form: { id, values: typed(req.body), errors } };
}

function redirectWithSuccess(req: Request, res: Response, texts: string[], to: string): void {
  redirectWithFlash(req, res, 'success', texts, to);
}

function sendDownload(res: Response, body: string | Buffer, type: string, fileName: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

export function resultsHandlers(pool: Pool) {
  const actorOf = (req: Request) => staffActor(currentUser(req), String(req.id));

  /** The ranking page; again with a rejected form (its state and status) when given one. */
  async function showLeaderboard(req: Request, res: Response, contest: ContestRow, refused?: { status: number; form: FormState }) {
    const query = tryParse(resultsQuerySchema, refused ? { round: req.body?.round, method: req.body?.method } : req.query);
    const q = query.ok ? query.data : resultsQuerySchema.parse({});
    const rounds = await scoringRounds(pool, contest.id);
    const categories = await listCategories(pool, contest.id);
    const forms = formHelpers(refused?.form ?? null);
    const common = { title: req.t('results.title', { contest: contest.title }), contest, rounds, categories, q, forms, base: base(contest), styles: ['results.css'] };
    if (!rounds.length) {
      return render(res, 'results/leaderboard', { ...common, round: null, page: null, criteria: [], missingCount: 0 }, refused?.status);
    }
    const round = await loadRound(pool, contest, q.round);
    const page = await cachedResults(pool, contest, round, {
      method: q.method, categoryId: q.category ?? null, spreadOnly: q.flag === 'spread', tiedOnly: q.flag === 'tied', page: q.page,
    });
    const missingCount = page.rows[0]?.missing_entries ?? 0;
    const criteria = await listCriteria(pool, round.id);
    await render(res, 'results/leaderboard', {
      ...common, round, page, criteria, missingCount, spreadShare: Math.round(SPREAD_SHARE * 100), pageSize: PAGE_SIZE,
      scale: criteria.length ? { min: Math.min(...criteria.map((c) => c.scale_min)), max: Math.max(...criteria.map((c) => c.scale_max)) } : null,
    }, refused?.status);
  }

  /** The winners list page; again with a rejected form when given one. */
  async function showWinners(req: Request, res: Response, contest: ContestRow, refused?: { status: number; form: FormState }) {
    const [list, tiers, awards] = await Promise.all([winnersListState(pool, contest.id), listPrizeTiers(pool, contest.id), listAwards(pool, contest.id)]);
    let form = refused?.form ?? null;
    // An add form for a tier the page does not show (a forged or stale tier id) has no place of
    // its own: its messages go to the list's message line instead of vanishing.
    if (form && form.id.startsWith('add-') && !tiers.some((t) => `add-${t.id}` === form?.id)) {
      form = { id: 'list', values: {}, errors: { _form: Object.values(form.errors).join(' ') } };
    }
    await render(res, 'results/manage', {
      title: req.t('winners.manageTitle', { contest: contest.title }), contest, list, tiers, awards, base: base(contest),
      forms: formHelpers(form), styles: ['results.css'],
    }, refused?.status);
  }

  /**
   * Runs a small form's action: success → a flash and back to the page (303); an expected
   * refusal → the page again with the form as typed and the messages at their fields.
   */
  async function submitForm(
    req: Request,
    res: Response,
    o: { id: string; fields: string[]; aliases?: Record<string, string>; to: string; show: (refused: { status: number; form: FormState }) => Promise<void> },
    fn: () => Promise<string[]>,
  ): Promise<void> {
    let texts: string[];
    try {
      texts = await fn();
    } catch (err) {
      const refused = refusal(req, err, o.id, o.fields, o.aliases);
      if (!refused) throw err;
      return o.show(refused);
    }
    redirectWithSuccess(req, res, texts, o.to);
  }

  const roundQuery = (req: Request) => (typeof req.body?.round === 'string' ? `?round=${encodeURIComponent(req.body.round)}` : '');

  return {
    leaderboard: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await showLeaderboard(req, res, contest);
    },

    entrySheets: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const roundId = Number(req.params.roundId);
      if (!Number.isSafeInteger(roundId) || roundId <= 0) throw new NotFoundError('round_not_found');
      const round = await loadRound(pool, contest, roundId);
      const entry = await findEntryByCode(pool, contest.id, String(req.params.code));
      if (!entry) throw new NotFoundError('entry_not_found');
      const [sheets, criteria] = await Promise.all([entrySheets(pool, round.id, entry.id), listCriteria(pool, round.id)]);
      await render(res, 'results/sheets', { title: req.t('results.sheetsTitle', { code: entry.code }), contest, round, entry, sheets, criteria, base: base(contest), styles: ['results.css'] });
    },

    decideTie: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const form = { id: 'tie', fields: ['codes'], aliases: { entries: 'codes', not_tied: 'codes', entry_not_found: 'codes' } };
      await submitForm(req, res, { ...form, to: `${base(contest)}/results${roundQuery(req)}`, show: (r) => showLeaderboard(req, res, contest, r) }, async () => {
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
      const form = { id: 'promote', fields: ['mode', 'n', 'codes'], aliases: { entry_not_found: 'codes' } };
      await submitForm(req, res, { ...form, to: `${base(contest)}/results${roundQuery(req)}`, show: (r) => showLeaderboard(req, res, contest, r) }, async () => {
        const body = parseOrThrow(promoteSchema, req.body);
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
      await showWinners(req, res, contest);
    },

    suggest: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const method = req.body?.method === 'normalised' ? 'normalised' : 'plain';
      await submitForm(req, res, { id: 'suggest', fields: ['method'], to: `${base(contest)}/winners`, show: (r) => showWinners(req, res, contest, r) }, async () => {
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
      const tier = typeof req.body?.tierId === 'string' ? req.body.tierId : '';
      const form = { id: `add-${tier}`, fields: ['entryCode', 'reason'] };
      await submitForm(req, res, { ...form, to: `${base(contest)}/winners`, show: (r) => showWinners(req, res, contest, r) }, async () => {
        const body = parseOrThrow(addAwardSchema, req.body);
        await addAward(pool, contest, body, actorOf(req));
        return [req.t('winners.saved')];
      });
    },

    replaceAward: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const awardId = Number(req.params.awardId);
      if (!Number.isSafeInteger(awardId)) throw new NotFoundError();
      const form = { id: `replace-${awardId}`, fields: ['entryCode', 'reason'] };
      await submitForm(req, res, { ...form, to: `${base(contest)}/winners`, show: (r) => showWinners(req, res, contest, r) }, async () => {
        const body = parseOrThrow(replaceAwardSchema, req.body);
        await replaceAward(pool, contest, awardId, body, actorOf(req));
        return [req.t('winners.saved')];
      });
    },

    removeAward: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      const awardId = Number(req.params.awardId);
      if (!Number.isSafeInteger(awardId)) throw new NotFoundError();
      const form = { id: `remove-${awardId}`, fields: ['reason'] };
      await submitForm(req, res, { ...form, to: `${base(contest)}/winners`, show: (r) => showWinners(req, res, contest, r) }, async () => {
        const body = parseOrThrow(reasonSchema, req.body);
        await removeAward(pool, contest, awardId, body.reason, actorOf(req));
        return [req.t('winners.saved')];
      });
    },

    publish: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await submitForm(req, res, { id: 'publish', fields: [], to: `${base(contest)}/winners`, show: (r) => showWinners(req, res, contest, r) }, async () => {
        await publishWinners(pool, contest, actorOf(req));
        return [req.t('winners.published')];
      });
    },

    unpublish: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, slugOf(req));
      await submitForm(req, res, { id: 'unpublish', fields: ['reason'], to: `${base(contest)}/winners`, show: (r) => showWinners(req, res, contest, r) }, async () => {
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
