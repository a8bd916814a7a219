import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { staffActor } from '../audit/service';
import { currentUser } from '../http/auth';
import { AppError, NotFoundError, ValidationError } from '../http/errors';
import { flash, render } from '../http/render';
import { tryParse } from '../http/validate';
import { findStoredFile, sendStoredFile } from '../storage/files';
import type { UploadStore } from '../storage/store';
import { loadVisibleContest } from './access';
import { renderRules } from './markdown';
import { contestPhase, submissionsEndAt } from './phase';
import { presentContest, presentContestSummary } from './presenter';
import * as q from './queries';
import { contestFormSchema, FIELD_MODES, PUBLIC_FIELD_CHOICES, transitionSchema } from './schemas';
import * as service from './service';
import { valuesForNew, valuesFromBody, valuesFromContest, type FormValues } from './form';
import { ENTRANT_OPTIONAL_FIELDS } from './queries';

export const PAGE_SIZE = 20;
export const BANNER_MAX_BYTES = 5 * 1024 * 1024;

const pageOf = (req: Request): number => {
  const p = Number(req.query.page);
  return Number.isSafeInteger(p) && p >= 1 && p <= 10_000 ? p : 1;
};
const idParam = (req: Request): number => {
  const raw = String(req.params.id ?? '');
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError('contest_not_found');
  return Number(raw);
};
/** A slug that cannot exist is a 404 at once, without a query (NUL, 5,000 characters, …). */
const slugParam = (req: Request): string => {
  const raw = String(req.params.slug ?? '');
  if (!/^[A-Za-z0-9-]{1,80}$/.test(raw)) throw new NotFoundError('contest_not_found');
  return raw;
};
const actorOf = (req: Request) => staffActor(currentUser(req), String(req.id));

const FORM_STYLES = ['contests.css'];

export function contestHandlers(pool: Pool, config: Config, store: UploadStore) {
  const formLocals = (req: Request) => ({
    styles: FORM_STYLES,
    fieldModes: FIELD_MODES,
    optionalFields: ENTRANT_OPTIONAL_FIELDS,
    publicFieldChoices: PUBLIC_FIELD_CHOICES,
    timeZones: Intl.supportedValuesOf('timeZone'),
    bannerMaxMb: BANNER_MAX_BYTES / 1024 / 1024,
    t: req.t,
  });

  async function renderForm(req: Request, res: Response, o: { contest: q.ContestRow | null; values: FormValues; errors: Record<string, string>; status?: number; confirmWindow?: number; formError?: string }) {
    const entryCount = o.contest ? await q.countAllEntries(pool, o.contest.id) : 0;
    await render(
      res,
      'contests/form',
      {
        ...formLocals(req),
        title: o.contest ? req.t('contests.editTitle', { title: o.contest.title }) : req.t('contests.newTitle'),
        contest: o.contest,
        phase: o.contest ? contestPhase(o.contest) : null,
        actions: o.contest ? service.availableActions(o.contest, entryCount) : [],
        entryCount,
        values: o.values,
        errors: o.errors,
        confirmWindow: o.confirmWindow ?? null,
        formError: o.formError ?? null,
      },
      o.status ?? 200,
    );
  }

  async function loadById(id: number) {
    const c = await q.findContestById(pool, id);
    if (!c) throw new NotFoundError('contest_not_found');
    return c;
  }

  /** Service refusals that belong to a field or to the whole form come back as the form, as typed. */
  async function saveOrRerender(req: Request, res: Response, contest: q.ContestRow | null) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = valuesFromBody(body);
    const parsed = tryParse(contestFormSchema, body);
    if (!parsed.ok) return renderForm(req, res, { contest, values, errors: parsed.errors, status: 422 });
    try {
      const saved = contest
        ? await service.updateContest(pool, contest.id, parsed.data, actorOf(req), { confirmWindowChange: body.confirm_window_change === '1' })
        : await service.createContest(pool, parsed.data, actorOf(req));
      flash(req, 'success', req.t(contest ? 'contests.saved' : 'contests.created', { title: saved.title }));
      req.session.save(() => res.redirect(303, `/organiser/contests/${saved.id}/edit`));
    } catch (err) {
      if (err instanceof ValidationError) return renderForm(req, res, { contest, values, errors: err.fieldErrors, status: 422 });
      if (err instanceof AppError && err.code === 'window_change_unconfirmed') {
        return renderForm(req, res, { contest, values, errors: {}, status: 409, confirmWindow: Number(err.params.n) });
      }
      if (err instanceof AppError && err.status === 409) {
        return renderForm(req, res, { contest, values, errors: {}, status: 409, formError: req.t(err.messageKey, err.params) });
      }
      throw err;
    }
  }

  return {
    // ---- organiser ----
    list: async (req: Request, res: Response) => {
      const page = pageOf(req);
      const [contests, total] = await Promise.all([q.listAllContests(pool, PAGE_SIZE, (page - 1) * PAGE_SIZE), q.countAllContests(pool)]);
      const now = new Date();
      await render(res, 'contests/list', {
        title: req.t('contests.listTitle'),
        styles: FORM_STYLES,
        contests: contests.map((c) => ({ ...c, phase: contestPhase(c, now) })),
        page,
        pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      });
    },

    newForm: async (req: Request, res: Response) => {
      await renderForm(req, res, { contest: null, values: valuesForNew({ timeZone: config.DEFAULT_TIME_ZONE, maxUploadMb: config.MAX_UPLOAD_MB }), errors: {} });
    },

    create: async (req: Request, res: Response) => saveOrRerender(req, res, null),

    editForm: async (req: Request, res: Response) => {
      const c = await loadById(idParam(req));
      const [categories, prizes] = await Promise.all([q.listCategories(pool, c.id), q.listPrizeTiers(pool, c.id)]);
      await renderForm(req, res, { contest: c, values: valuesFromContest(c, categories, prizes), errors: {} });
    },

    update: async (req: Request, res: Response) => saveOrRerender(req, res, await loadById(idParam(req))),

    changeState: async (req: Request, res: Response) => {
      const c = await loadById(idParam(req));
      const parsed = tryParse(transitionSchema, req.body);
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      try {
        const r = await service.applyContestAction(pool, c.id, parsed.data.action, actorOf(req));
        flash(req, 'success', req.t('contests.stateChanged', { state: req.t(`contests.state.${r.to}`) }));
      } catch (err) {
        if (!(err instanceof AppError) || err.status !== 409) throw err;
        flash(req, 'error', req.t(err.messageKey, { ...err.params, from: req.t(`contests.state.${String(err.params.from ?? '')}`), to: req.t(`contests.state.${String(err.params.to ?? '')}`) }));
      }
      req.session.save(() => res.redirect(303, `/organiser/contests/${c.id}/edit`));
    },

    uploadBanner: async (req: Request, res: Response) => {
      const c = await loadById(idParam(req));
      if (!req.upload) {
        flash(req, 'error', req.t('contests.bannerMissing'));
      } else {
        await service.setContestBanner(pool, store, c.id, req.upload, actorOf(req));
        flash(req, 'success', req.t('contests.bannerSaved'));
      }
      req.session.save(() => res.redirect(303, `/organiser/contests/${c.id}/edit`));
    },

    /** A refused banner (wrong type, too large) comes back as the edit page with the reason, keeping its status. */
    bannerError: async (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!(err instanceof AppError) || ![413, 415].includes(err.status)) return next(err);
      try {
        const c = await loadById(idParam(req));
        const [categories, prizes] = await Promise.all([q.listCategories(pool, c.id), q.listPrizeTiers(pool, c.id)]);
        const formError = err.status === 413 ? req.t('contests.bannerTooLarge', { mb: BANNER_MAX_BYTES / 1024 / 1024 }) : req.t('contests.bannerType');
        await renderForm(req, res, { contest: c, values: valuesFromContest(c, categories, prizes), errors: {}, status: err.status, formError });
      } catch (e) {
        next(e);
      }
    },

    // ---- public ----
    page: async (req: Request, res: Response) => {
      const c = await loadVisibleContest(pool, slugParam(req), req.user);
      const o = await service.contestOverview(pool, c);
      const now = new Date();
      const base = config.PUBLIC_URL ? config.PUBLIC_URL.replace(/\/$/, '') : `${req.protocol}://${req.get('host')}`;
      await render(res, 'contests/page', {
        title: c.title,
        styles: FORM_STYLES,
        scripts: ['contests.js'],
        contest: c,
        ...o,
        phase: contestPhase(c, now),
        now,
        endsAt: submissionsEndAt(c),
        meta: {
          title: c.title,
          description: c.summary,
          url: `${base}/c/${c.slug}`,
          image: c.banner_file_id ? `${base}/c/${c.slug}/banner` : null,
        },
      });
    },

    rules: async (req: Request, res: Response) => {
      const c = await loadVisibleContest(pool, slugParam(req), req.user);
      await render(res, 'contests/rules', { title: `${req.t('contests.rules')} · ${c.title}`, styles: FORM_STYLES, scripts: ['contests.js'], contest: c, rulesHtml: renderRules(c.rules_md) });
    },

    banner: async (req: Request, res: Response) => {
      const c = await loadVisibleContest(pool, slugParam(req), req.user);
      if (!c.banner_file_id) throw new NotFoundError('banner_not_found');
      const file = await findStoredFile(pool, c.banner_file_id);
      if (!file) throw new NotFoundError('banner_not_found');
      // Public contests' banners may be cached; a draft's banner is for organisers only.
      await sendStoredFile(req, res, store, file, { maxAgeSeconds: c.state === 'draft' ? undefined : 300 });
    },

    apiList: async (req: Request, res: Response) => {
      const page = pageOf(req);
      const now = new Date();
      const [contests, total] = await Promise.all([q.listPublicContests(pool, now, PAGE_SIZE, (page - 1) * PAGE_SIZE), q.countPublicContests(pool)]);
      const counts = await Promise.all(contests.map((c) => service.contestCounters(pool, c)));
      res.json({ contests: contests.map((c, i) => presentContestSummary(c, counts[i]!.entryCount, now)), page, pageSize: PAGE_SIZE, total });
    },

    apiShow: async (req: Request, res: Response) => {
      // The public API never shows drafts, whoever asks.
      const c = await loadVisibleContest(pool, slugParam(req), undefined);
      const o = await service.contestOverview(pool, c);
      res.json(presentContest(c, o));
    },
  };
}
