import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { forgetRecentContest, loadVisibleContest, loadVisibleContestRecent } from '../contests/access';
import { acceptsCorrections, acceptsSubmissions, contestPhase, submissionsEndAt } from '../contests/phase';
import type { ContestRow } from '../contests/queries';
import { AppError, ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../http/errors';
import { isMultipart } from '../http/csrf';
import { render } from '../http/render';
import { tryParse } from '../http/validate';
import type { UploadStore } from '../storage/store';
import * as q from './queries';
import { submissionSchema } from './schemas';
import { checkAccessToken, StaleContestError, submitEntry, SubmissionsClosedError, type Receipt } from './service';

export interface EntriesDeps {
  pool: Pool;
  config: Config;
  store: UploadStore;
  secret: string;
  /** Tests point the TikTok client at a loopback server. */
  tiktokOrigin?: string;
}

export function contestOf(res: Response): ContestRow {
  return res.locals.contest as ContestRow;
}

export function maxUploadBytes(config: Config, contest: ContestRow): number {
  return Math.min(contest.max_upload_mb, config.MAX_UPLOAD_MB) * 1024 * 1024;
}

export function tiktokOptions(d: EntriesDeps) {
  return { enabled: d.config.TIKTOK_NETWORK, timeoutMs: d.config.TIKTOK_TIMEOUT_MS, origin: d.tiktokOrigin };
}

/** Only text fields go back into the form; the file cannot be re-filled by the server. */
function typedValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (k === '_csrf') continue;
    if (typeof v === 'string') out[k] = v.slice(0, 2048);
    else if (typeof v === 'boolean') out[k] = v ? 'on' : '';
  }
  return out;
}

/**
 * One submit, validated against the contest as last read (up to two seconds ago). When the
 * contest changed since, the write is refused (StaleContestError), and a refusal may rest on the
 * old settings: either way the contest is read afresh and, if it did change, the submission is
 * validated and tried once more.
 */
async function runSubmit(d: EntriesDeps, req: Request, res: Response, idempotencyKey: string | null): ReturnType<typeof submitOnce> {
  const seen = contestOf(res);
  const retryIfChanged = async <T>(outcome: () => Promise<T> | T): Promise<T | Awaited<ReturnType<typeof submitOnce>>> => {
    forgetRecentContest(seen.slug);
    const fresh = await loadVisibleContest(d.pool, String(req.params.slug), req.user);
    if (fresh.version === seen.version) return outcome();
    res.locals.contest = fresh;
    return submitOnce(d, req, res, idempotencyKey);
  };
  try {
    const result = await submitOnce(d, req, res, idempotencyKey);
    return result.ok ? result : await retryIfChanged(() => result);
  } catch (err) {
    if (err instanceof StaleContestError || err instanceof SubmissionsClosedError) {
      return retryIfChanged(() => {
        throw err;
      });
    }
    throw err;
  }
}

/** Everything one submit needs from the request, for both the form and the API. */
async function submitOnce(d: EntriesDeps, req: Request, res: Response, idempotencyKey: string | null): Promise<{ ok: true; receipt: Receipt; email: string | null } | { ok: false; errors: FieldErrors; status: number }> {
  const contest = contestOf(res);
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.website === 'string' && body.website.trim() !== '') {
    // The honeypot: a person never sees this field.
    return { ok: false, errors: { _form: 'entries.rejected' }, status: 422 };
  }
  if (!acceptsSubmissions(contest)) throw new SubmissionsClosedError();
  const parsed = tryParse(submissionSchema(contest, contest.category_ids, new Date()), body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, status: 422 };
  try {
    const receipt = await submitEntry(d.pool, d.store, contest, parsed.data, {
      now: new Date(),
      ip: req.ip ?? 'unknown',
      lang: req.lang,
      idempotencyKey,
      upload: req.upload,
      tiktok: tiktokOptions(d),
      rateLimits: { enabled: d.config.RATE_LIMITS, perIpPerHour: d.config.SUBMIT_LIMIT_PER_IP_PER_HOUR, perEntrantPerHour: d.config.SUBMIT_LIMIT_PER_ENTRANT_PER_HOUR },
      secret: d.secret,
      publicUrl: d.config.PUBLIC_URL,
    });
    return { ok: true, receipt, email: parsed.data.email };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, errors: err.fieldErrors, status: 422 };
    throw err;
  }
}

export function entryHandlers(d: EntriesDeps) {
  const contestLoader = (recentWillDo: (req: Request) => boolean) => async (req: Request, res: Response, next: () => void) => {
    const load = recentWillDo(req) ? loadVisibleContestRecent : loadVisibleContest;
    res.locals.contest = await load(d.pool, String(req.params.slug), req.user);
    next();
  };

  const formLocals = async (req: Request, res: Response, values: Record<string, string>, errors: FieldErrors) => {
    const contest = contestOf(res);
    const categories = await q.categoryIdsOf(d.pool, contest.id);
    return {
      title: req.t('entries.submit.title', { contest: contest.title }),
      contest,
      categories,
      values: { formToken: randomUUID(), ...values },
      errors,
      // The published deadline; the grace period is a silent tolerance, not a second deadline.
      deadline: contest.closes_at,
      maxMb: Math.min(contest.max_upload_mb, d.config.MAX_UPLOAD_MB),
      scripts: ['entries-submit.js'],
      styles: ['entries.css'],
    };
  };

  const closedPage = async (req: Request, res: Response, status: number) => {
    const contest = contestOf(res);
    const phase = contestPhase(contest);
    const message =
      phase === 'scheduled' && contest.opens_at
        ? req.t('entries.closed.notYet', { at: res.locals.fmt.dateTime(contest.opens_at, contest.time_zone) })
        : phase === 'scheduled'
          ? req.t('entries.closed.notScheduled')
          : req.t('entries.closed.ended', { at: res.locals.fmt.dateTime(submissionsEndAt(contest) ?? contest.closes_at, contest.time_zone) });
    await render(res, 'entries/closed', { title: req.t('entries.closed.title'), contest, message, styles: ['entries.css'] }, status);
  };

  return {
    loadContest: contestLoader(() => false),
    /** Public read-only pages: a contest copy up to two seconds old is fine for them. */
    loadContestRecent: contestLoader(() => true),
    /**
     * The submit routes: a recent copy will do (runSubmit re-reads it when it changed), except
     * for uploads, whose multi-statement path does not check the contest's version.
     */
    loadContestForSubmit: contestLoader((req) => !isMultipart(req)),

    submitForm: async (req: Request, res: Response) => {
      if (!acceptsSubmissions(contestOf(res))) return closedPage(req, res, 200);
      await render(res, 'entries/submit', await formLocals(req, res, { hashtagConfirmed: '', consent: '' }, {}));
    },

    submit: async (req: Request, res: Response) => {
      const token = typeof req.body?.formToken === 'string' && /^[0-9a-f-]{36}$/.test(req.body.formToken) ? req.body.formToken : null;
      let result;
      try {
        result = await runSubmit(d, req, res, token ? `form:${token}` : null);
      } catch (err) {
        if (err instanceof SubmissionsClosedError) return closedPage(req, res, 403);
        if (err instanceof ConflictError) {
          const field = err.code === 'duplicate_clip' ? 'tiktokUrl' : '_form';
          result = { ok: false as const, errors: { [field]: err.messageKey }, status: 409 };
          // the message needs its parameter
          if (err.code === 'entrant_limit') result.errors[field] = req.t(err.messageKey, err.params);
        } else throw err;
      }
      if (!result.ok) {
        const values = typedValues(req.body);
        const locals = await formLocals(req, res, values, result.errors);
        return render(res, 'entries/submit', locals, result.status);
      }
      const contest = contestOf(res);
      res.redirect(303, `/c/${contest.slug}/receipt/${result.receipt.code}?t=${result.receipt.accessToken}`);
    },

    apiSubmit: async (req: Request, res: Response) => {
      const header = req.get('idempotency-key');
      if (header !== undefined && !/^[\x21-\x7e]{1,200}$/.test(header)) throw new ValidationError({ 'Idempotency-Key': 'form.invalid' });
      const result = await runSubmit(d, req, res, header ? `api:${header}` : null);
      if (!result.ok) throw new ValidationError(result.errors);
      const contest = contestOf(res);
      const r = result.receipt;
      if (r.replayed) res.set('Idempotent-Replayed', 'true');
      res.status(201).json({
        code: r.code,
        status: r.status,
        videoId: r.videoId,
        canonicalUrl: r.canonicalUrl,
        linkStatus: r.linkStatus,
        hashtagStatus: r.hashtagStatus,
        postedEarly: r.postedEarly,
        entrantUrl: `${d.config.PUBLIC_URL ?? ''}/c/${contest.slug}/my/${r.code}?t=${r.accessToken}`,
      });
    },

    receipt: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const entry = await q.findEntryByCode(d.pool, contest.id, String(req.params.code).toUpperCase());
      if (!entry || !checkAccessToken(d.secret, entry, req.query.t)) throw new NotFoundError('entry_not_found');
      const entrant = await q.findEntrant(d.pool, entry.entrant_id);
      const token = String(req.query.t);
      await render(res, 'entries/receipt', {
        title: req.t('entries.receipt.title'),
        contest,
        entry,
        email: entrant?.email ?? '',
        privateUrl: `${d.config.PUBLIC_URL ?? `${req.protocol}://${req.get('host') ?? ''}`}/c/${contest.slug}/my/${entry.code}?t=${token}`,
        styles: ['entries.css'],
      });
    },

    canCorrect: (contest: ContestRow) => acceptsCorrections(contest),
  };
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
