import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { withTransaction } from '../db';
import { staffActor } from '../audit/service';
import { currentUser } from '../http/auth';
import { AppError, NotFoundError, ValidationError } from '../http/errors';
import { flash, render } from '../http/render';
import { parseOrThrow, tryParse } from '../http/validate';
import { loadContestForOrganiser } from '../contests/access';
import { findContestById, type ContestRow } from '../contests/queries';
import { findStoredFile, sendStoredFile } from '../storage/files';
import { uploadStore } from '../storage/store';
import { rows, maybeOne } from '../db';
import * as q from './queries';
import * as service from './service';
import * as screening from './screening';
import { canSeeOtherScores, weightedScore } from './policy';
import {
  closeSchema, conflictSchema, criterionSchema, declareConflictSchema, judgeSchema, moveSchema, pageQuerySchema, queueQuerySchema, roundSchemaIn, scoresheetSchema,
  screeningReasonSchema,
} from './schemas';

const QUEUE_PAGE = 50;
const TABLE_PAGE = 50;

const actorOf = (req: Request) => staffActor(currentUser(req), String(req.id ?? ''));
const param = (req: Request, name: string): string => String((req.params as Record<string, string>)[name] ?? '');
const idParam = (req: Request, name: string): number => {
  const n = Number(param(req, name));
  if (!Number.isSafeInteger(n) || n <= 0) throw new NotFoundError();
  return n;
};
/** Flash, then redirect once the session holds it. */
const redirectWith = (req: Request, res: Response, to: string, kind: 'success' | 'error' | 'info', text: string) => {
  flash(req, kind, text);
  req.session.save(() => res.redirect(303, to));
};
const errorText = (req: Request, err: unknown): string => {
  if (err instanceof ValidationError) return Object.values(err.fieldErrors).map((k) => req.t(k)).join(' ');
  if (err instanceof AppError) return req.t(err.messageKey, err.params);
  throw err;
};

function filterQuery(f: Record<string, unknown>, dropPage: boolean): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && !(dropPage && k === 'page')) pairs.push([k, String(v)]);
  return new URLSearchParams(pairs).toString();
}

/** Reads `score_<criterionId>` form fields (the urlencoded parser is not extended). */
function scoresFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = /^score_([0-9]{1,18})$/.exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

export function judgingHandlers(pool: Pool, config: Config) {
  const store = uploadStore(config.uploadDir);

  async function roundForOrganiser(req: Request): Promise<{ round: q.RoundRow; contest: ContestRow }> {
    const round = await q.findRound(pool, idParam(req, 'roundId'));
    if (!round) throw new NotFoundError('round_not_found');
    const contest = (await findContestById(pool, round.contest_id))!;
    return { round, contest };
  }

  /** Everything the scoring screen (HTML or JSON) shows, after the judge's checks. */
  async function scoringContext(req: Request) {
    const judge = currentUser(req);
    const roundId = idParam(req, 'roundId');
    const { round, entry, sheet, queue } = await service.loadScoringScreen(pool, judge.id, roundId, param(req, 'code'));
    // Other judges' scoresheets are fetched alongside only when the round may ever show them,
    // and dropped below unless the rule allows them now.
    const [criteria, otherRows] = await Promise.all([
      q.listCriteria(pool, roundId),
      round.others_scores === 'never' ? Promise.resolve(null) : q.otherSheets(pool, roundId, entry.entry_id, judge.id),
    ]);
    const own = service.presentSheet(sheet);
    const others = canSeeOtherScores(round.others_scores, own.status === 'submitted') ? otherRows : null;
    return {
      round: { id: round.id, name: round.name, kind: round.kind, state: round.state, blind: round.blind, deadlineAt: round.deadline_at },
      entry: service.presentEntry(round, entry),
      criteria: criteria.map((c) => ({ id: c.id, name: c.name, description: c.description, weight: c.weight, min: c.scale_min, max: c.scale_max, step: c.step })),
      sheet: { ...own, total: weightedScore(criteria, Object.fromEntries(Object.entries(own.scores).map(([k, v]) => [Number(k), v]))) },
      queue,
      others,
      writable: round.state === 'open',
    };
  }

  const handlers = {
    // ---------- screening ----------
    screeningList: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, param(req, 'slug'));
      const filter = screening.screeningFilterSchema.parse(req.query);
      const [list, reasons, categories] = await Promise.all([
        screening.listForScreening(pool, contest.id, filter),
        screening.listReasons(pool, contest.id),
        rows<{ id: number; name: string }>(pool, 'SELECT id, name FROM categories WHERE contest_id = $1 ORDER BY position, id', [contest.id]),
      ]);
      await render(res, 'judging/screening', {
        title: req.t('screening.title'), contest, filter, items: list.items, total: list.total, pageSize: screening.PAGE_SIZE, reasons, categories,
        query: filterQuery(filter, true),
        styles: ['judging.css'], scripts: ['judging-screening.js'],
      });
    },

    screeningDecide: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, param(req, 'slug'));
      const body = req.body as Record<string, unknown>;
      const filter = screening.screeningFilterSchema.parse(body);
      const back = `/organiser/contests/${contest.slug}/screening?${filterQuery(filter, false)}`;
      const parsed = tryParse(screening.decisionSchema, body);
      if (!parsed.ok) return redirectWith(req, res, back, 'error', Object.values(parsed.errors).map((k) => req.t(k)).join(' '));
      if (parsed.data.scope === 'filtered' && !screening.screeningFilterStrictSchema.safeParse(body).success) {
        return redirectWith(req, res, back, 'error', req.t('screening.error.badFilter'));
      }
      try {
        const r = await withTransaction(pool, (tx) => screening.decide(tx, contest.id, parsed.data, filter, actorOf(req)));
        redirectWith(req, res, back, 'success', req.t('screening.done', { changed: r.changed, skipped: r.skipped }));
      } catch (err) {
        redirectWith(req, res, back, 'error', errorText(req, err));
      }
    },

    screeningAddReason: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, param(req, 'slug'));
      const back = `/organiser/contests/${contest.slug}/screening`;
      const parsed = tryParse(screeningReasonSchema, req.body);
      if (!parsed.ok) return redirectWith(req, res, back, 'error', Object.values(parsed.errors).map((k) => req.t(k)).join(' '));
      const labels = parsed.data.defaults ? screening.DEFAULT_REASONS : parsed.data.label ? [parsed.data.label] : [];
      if (!labels.length) return redirectWith(req, res, back, 'error', req.t('form.required'));
      await withTransaction(pool, (tx) => screening.addReasons(tx, contest.id, labels, actorOf(req)));
      redirectWith(req, res, back, 'success', req.t('screening.reasonsAdded'));
    },

    // ---------- rounds (organiser) ----------
    roundsPage: async (req: Request, res: Response, values: Record<string, unknown> = { blind: 'on', assignmentMode: 'n_per_entry', judgesPerEntry: '3', othersScores: 'after_own', kind: 'scoring', entrySource: 'all_eligible' }, errors: Record<string, string> = {}, status = 200) => {
      const contest = await loadContestForOrganiser(pool, param(req, 'slug'));
      const [rounds, judges, conflicts] = await Promise.all([q.listRounds(pool, contest.id), q.listJudgeAccounts(pool), q.listConflicts(pool, contest.id)]);
      const categories = await rows<{ id: number; name: string }>(pool, 'SELECT id, name FROM categories WHERE contest_id = $1 ORDER BY position, id', [contest.id]);
      await render(res, 'judging/rounds', { title: req.t('rounds.title'), contest, rounds, judges, conflicts, categories, values, errors, styles: ['judging.css'] }, status);
    },

    createRound: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, param(req, 'slug'));
      const body = req.body as Record<string, unknown>;
      const parsed = tryParse(roundSchemaIn(contest.time_zone), body);
      if (!parsed.ok) return handlers.roundsPage(req, res, body, parsed.errors, 422);
      const id = await withTransaction(pool, (tx) => service.createRound(tx, contest.id, parsed.data, actorOf(req)));
      redirectWith(req, res, `/organiser/rounds/${id}`, 'success', req.t('rounds.created'));
    },

    addContestConflict: async (req: Request, res: Response) => {
      const contest = await loadContestForOrganiser(pool, param(req, 'slug'));
      const back = `/organiser/contests/${contest.slug}/rounds`;
      const parsed = tryParse(conflictSchema, req.body);
      if (!parsed.ok) return redirectWith(req, res, back, 'error', Object.values(parsed.errors).map((k) => req.t(k)).join(' '));
      try {
        const r = await withTransaction(pool, async (tx) => {
          let entryId: number | null = null;
          if (parsed.data.entryCode) {
            const e = await maybeOne<{ id: number }>(tx, 'SELECT id FROM entries WHERE contest_id = $1 AND code = $2', [contest.id, parsed.data.entryCode.toUpperCase()]);
            if (!e) throw new ValidationError({ entryCode: 'judging.error.unknownEntry' });
            entryId = e.id;
          }
          return service.addConflict(tx, contest.id, { judgeId: parsed.data.judgeId, entryId, organisation: parsed.data.organisation || null, reason: parsed.data.reason, source: 'organiser' }, actorOf(req));
        });
        redirectWith(req, res, back, 'success', req.t('conflicts.added', { moved: r.moved }));
      } catch (err) {
        redirectWith(req, res, back, 'error', errorText(req, err));
      }
    },

    roundPage: async (req: Request, res: Response) => {
      const { round, contest } = await roundForOrganiser(req);
      const [criteria, panel, judges, progress, missing] = await Promise.all([
        q.listCriteria(pool, round.id), q.listPanel(pool, round.id), q.listJudgeAccounts(pool), q.roundProgress(pool, round.id), service.missingScoresheets(pool, round.id),
      ]);
      const entries = await maybeOne<{ n: number }>(pool, 'SELECT count(*)::int AS n FROM round_entries WHERE round_id = $1', [round.id]);
      await render(res, 'judging/round', {
        title: round.name, round, contest, criteria, panel, judges: judges.filter((j) => !panel.some((p) => p.id === j.id)), progress, missing,
        entries: entries?.n ?? 0, values: { weight: '25', scaleMin: '1', scaleMax: '10', step: '1' }, errors: {}, styles: ['judging.css'],
      });
    },

    /** One handler for the small organiser actions on a round: each is one service call in a transaction. */
    roundAction: (action: 'criterion' | 'removeCriterion' | 'addJudge' | 'removeJudge' | 'open' | 'close' | 'refresh' | 'remind' | 'move') =>
      async (req: Request, res: Response) => {
        const roundId = idParam(req, 'roundId');
        const back = `/organiser/rounds/${roundId}`;
        const actor = actorOf(req);
        try {
          const text = await withTransaction(pool, async (tx) => {
            switch (action) {
              case 'criterion':
                await service.addCriterion(tx, roundId, parseOrThrow(criterionSchema, req.body), actor);
                return req.t('criteria.added');
              case 'removeCriterion':
                await service.removeCriterion(tx, roundId, idParam(req, 'criterionId'), actor);
                return req.t('criteria.removed');
              case 'addJudge': {
                const n = await service.addJudge(tx, roundId, parseOrThrow(judgeSchema, req.body).judgeId, actor);
                return req.t('panel.added', { n });
              }
              case 'removeJudge':
                await service.removeJudge(tx, roundId, idParam(req, 'judgeId'), actor);
                return req.t('panel.removed');
              case 'open': {
                const r = await service.openRound(tx, roundId, actor);
                return req.t('rounds.opened', { entries: r.entries, assigned: r.assigned });
              }
              case 'close': {
                const r = await service.closeRound(tx, roundId, actor, parseOrThrow(closeSchema, req.body).force);
                return req.t('rounds.closed', { missing: r.missing });
              }
              case 'refresh': {
                const r = await service.refreshRound(tx, roundId, actor);
                return req.t('rounds.refreshed', { entries: r.entries, assigned: r.assigned });
              }
              case 'remind': {
                const n = await service.remindLaggingJudges(tx, roundId, actor, config.PUBLIC_URL ?? '');
                return req.t('progress.reminded', { n });
              }
              case 'move':
                await service.moveAssignment(tx, roundId, idParam(req, 'assignmentId'), parseOrThrow(moveSchema, req.body).judgeId, actor);
                return req.t('progress.moved');
            }
          });
          redirectWith(req, res, action === 'remind' || action === 'move' ? `${back}/progress` : back, 'success', text);
        } catch (err) {
          if (err instanceof AppError && err.code === 'round_not_found') throw err;
          redirectWith(req, res, action === 'remind' || action === 'move' ? `${back}/progress` : back, 'error', errorText(req, err));
        }
      },

    progressPage: async (req: Request, res: Response) => {
      const { round, contest } = await roundForOrganiser(req);
      const { page } = pageQuerySchema.parse(req.query);
      const [progress, table, criteria, panel, missing] = await Promise.all([
        q.roundProgress(pool, round.id), q.roundScoreTable(pool, round.id, TABLE_PAGE, (page - 1) * TABLE_PAGE), q.listCriteria(pool, round.id), q.listPanel(pool, round.id), service.missingScoresheets(pool, round.id),
      ]);
      const unscored = await rows<{ id: number; code: string; judge_id: number; judge_name: string }>(
        pool,
        `SELECT a.id, e.code, a.judge_id, u.name AS judge_name FROM assignments a JOIN entries e ON e.id = a.entry_id JOIN users u ON u.id = a.judge_id
          WHERE a.round_id = $1 AND NOT EXISTS (SELECT 1 FROM scoresheets s WHERE s.assignment_id = a.id AND s.status = 'submitted')
          ORDER BY a.entry_id, u.name LIMIT 50`,
        [round.id],
      );
      await render(res, 'judging/progress', { title: req.t('progress.title'), round, contest, progress, table, total: table[0]?.total_rows ?? 0, page, pageSize: TABLE_PAGE, criteria, panel, missing, unscored, styles: ['judging.css'] });
    },

    sheetPage: async (req: Request, res: Response) => {
      const { round, contest } = await roundForOrganiser(req);
      const sheet = await q.findSheetForOrganiser(pool, round.id, idParam(req, 'sheetId'));
      if (!sheet) throw new NotFoundError();
      const [criteria, history] = await Promise.all([q.listCriteria(pool, round.id), q.sheetHistory(pool, sheet.id)]);
      await render(res, 'judging/sheet', { title: `${sheet.code} · ${sheet.judge_name}`, round, contest, sheet, criteria, history, styles: ['judging.css'] });
    },

    // ---------- the judge's screens ----------
    dashboard: async (req: Request, res: Response) => {
      const rounds = await q.judgeRounds(pool, currentUser(req).id);
      await render(res, 'judging/dashboard', { title: req.t('judge.title'), rounds, styles: ['judging.css'] });
    },

    queue: async (req: Request, res: Response) => {
      const judge = currentUser(req);
      const round = await service.loadJudgeRound(pool, judge.id, idParam(req, 'roundId'));
      const f = queueQuerySchema.parse(req.query);
      const items = await q.judgeQueue(pool, judge.id, round.id, f.filter, f.q, QUEUE_PAGE, (f.page - 1) * QUEUE_PAGE);
      const first = await q.judgeQueue(pool, judge.id, round.id, 'todo', '', 1, 0);
      await render(res, 'judging/queue', { title: round.name, round, items, total: items[0]?.total_rows ?? 0, filter: f, pageSize: QUEUE_PAGE, firstTodo: first[0]?.code ?? null, styles: ['judging.css'] });
    },

    scoringPage: async (req: Request, res: Response, override?: { values?: Record<string, unknown>; errors?: Record<string, string>; message?: string; status?: number }) => {
      const ctx = await scoringContext(req);
      await render(res, 'judging/score', {
        title: `${ctx.entry.code} · ${ctx.round.name}`, ...ctx,
        values: override?.values ?? { scores: ctx.sheet.scores, comment: ctx.sheet.comment, version: ctx.sheet.version, verdict: ctx.sheet.verdict },
        errors: override?.errors ?? {}, message: override?.message ?? null,
        base: `/judging/rounds/${ctx.round.id}/entries/${encodeURIComponent(ctx.entry.code)}`,
        styles: ['judging.css'], scripts: ['judging-score.js'], bodyClass: 'scoring-page',
      }, override?.status ?? 200);
    },

    scoringJson: async (req: Request, res: Response) => {
      res.json(await scoringContext(req));
    },

    saveForm: async (req: Request, res: Response) => {
      const judge = currentUser(req);
      const roundId = idParam(req, 'roundId');
      const code = param(req, 'code');
      const body = req.body as Record<string, unknown>;
      const raw = { scores: scoresFromForm(body), comment: body.comment ?? '', version: body.version, action: body.action, verdict: body.verdict };
      const h = handlers;
      const values = { scores: raw.scores, comment: raw.comment, version: raw.version, verdict: raw.verdict };
      const parsed = tryParse(scoresheetSchema, raw);
      if (!parsed.ok) return h.scoringPage(req, res, { values, errors: parsed.errors, status: 422 });
      try {
        const r = await withTransaction(pool, (tx) =>
          service.saveScoresheet(tx, judge.id, roundId, code, { scores: parsed.data.scores, comment: parsed.data.comment, version: parsed.data.version, submit: parsed.data.action === 'submit', verdict: parsed.data.verdict ?? null }, actorOf(req)));
        if (parsed.data.action === 'submit') {
          const { entry } = await service.loadJudgeEntry(pool, judge.id, roundId, code);
          const next = await q.nextToDo(pool, roundId, judge.id, entry.entry_id);
          return redirectWith(req, res, next ? `/judging/rounds/${roundId}/entries/${encodeURIComponent(next)}` : `/judging/rounds/${roundId}?done=1`, 'success', req.t('score.submitted', { code }));
        }
        redirectWith(req, res, `/judging/rounds/${roundId}/entries/${encodeURIComponent(code)}`, 'success', req.t('score.saved', { version: r.version }));
      } catch (err) {
        if (err instanceof ValidationError) return h.scoringPage(req, res, { values, errors: err.fieldErrors, status: 422 });
        if (err instanceof AppError && err.status === 409) return h.scoringPage(req, res, { message: req.t(err.messageKey, err.params), status: 409 });
        throw err;
      }
    },

    autosave: async (req: Request, res: Response) => {
      const judge = currentUser(req);
      // Access first: a judge without this assignment learns nothing, not even what the body lacks.
      await service.loadJudgeEntry(pool, judge.id, idParam(req, 'roundId'), param(req, 'code'));
      const body = parseOrThrow(scoresheetSchema, req.body);
      const r = await withTransaction(pool, (tx) =>
        service.saveScoresheet(tx, judge.id, idParam(req, 'roundId'), param(req, 'code'), { scores: body.scores, comment: body.comment, version: body.version, submit: body.action === 'submit', verdict: body.verdict ?? null }, actorOf(req)));
      res.json(r);
    },

    declareConflict: async (req: Request, res: Response) => {
      const judge = currentUser(req);
      const roundId = idParam(req, 'roundId');
      const code = param(req, 'code');
      await service.loadJudgeEntry(pool, judge.id, roundId, code);
      const parsed = tryParse(declareConflictSchema, req.body);
      if (!parsed.ok) return redirectWith(req, res, `/judging/rounds/${roundId}/entries/${encodeURIComponent(code)}`, 'error', req.t('conflicts.reasonRequired'));
      await withTransaction(pool, (tx) => service.declareConflict(tx, judge.id, roundId, code, parsed.data.reason, actorOf(req)));
      redirectWith(req, res, `/judging/rounds/${roundId}`, 'success', req.t('conflicts.declared', { code }));
    },

    video: async (req: Request, res: Response) => {
      const judge = currentUser(req);
      const { entry } = await service.loadJudgeEntry(pool, judge.id, idParam(req, 'roundId'), param(req, 'code'));
      if (!entry.video_file_id) throw new NotFoundError();
      const file = await findStoredFile(pool, entry.video_file_id);
      if (!file) throw new NotFoundError();
      await sendStoredFile(req, res, store, file);
    },
  };

  return handlers;
}
