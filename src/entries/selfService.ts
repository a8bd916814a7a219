import type { Request, Response } from 'express';
import { acceptsCorrections } from '../contests/phase';
import { AppError, ConflictError, NotFoundError, TooManyRequestsError, ValidationError } from '../http/errors';
import { hit } from '../http/rateLimit';
import { flash, render } from '../http/render';
import { tryParse } from '../http/validate';
import type { EntrantOptionalField } from '../contests/queries';
import { correctEntrantDetails, extraFieldValue } from './entrantDetails';
import { contestOf, tiktokOptions, type EntriesDeps } from './handlers';
import { normaliseEmail, normalisePhone, maskNationalId } from './normalise';
import * as q from './queries';
import { correctionSchema, entrantDetailsSchema, lookupSchema, signInLinkRequestSchema } from './schemas';
import { checkAccessToken, correctEntry, replaceEntryFile, withdrawEntry } from './service';
import { requestSignInLink, SIGN_IN_LINK_MINUTES, signInLinkUsable, useSignInLink } from './signInLinks';

/**
 * A field as typed, to show back with its error. Only a string is typed text: String() on a JSON
 * object with its own "toString" key throws (a 500), and an array or object was never typed.
 */
const typed = (v: unknown): string => (typeof v === 'string' ? v : '');

declare module 'express-session' {
  interface SessionData {
    /** Entries this browser proved it may see (code + contact, or the secret link). */
    entryAccess?: number[];
  }
}

/**
 * The entrant's own page. Access comes from the secret link or from code + email/phone; a wrong
 * pair answers exactly like an unknown code, so nobody learns which codes exist.
 */
export function selfServiceHandlers(d: EntriesDeps) {
  const grant = (req: Request, entryId: number) => {
    const list = req.session.entryAccess ?? [];
    if (!list.includes(entryId)) req.session.entryAccess = [...list.slice(-19), entryId];
  };

  const loadOwnEntry = async (req: Request, res: Response) => {
    const contest = contestOf(res);
    const entry = await q.findEntryByCode(d.pool, contest.id, String(req.params.code).toUpperCase());
    if (!entry) throw new NotFoundError('entry_not_found');
    if (checkAccessToken(d.secret, entry, req.query.t)) grant(req, entry.id);
    else if (!(req.session.entryAccess ?? []).includes(entry.id)) throw new NotFoundError('entry_not_found');
    return entry;
  };

  /** The contest's extra fields the entrant page shows and corrects, in the submit form's order. */
  const askedFields = (res: Response): EntrantOptionalField[] => {
    const ef = contestOf(res).entrant_fields ?? {};
    return (['dateOfBirth', 'organisation', 'occupation', 'province', 'address', 'nationalId', 'tiktokHandle'] as const).filter((k) => ef[k] === 'optional' || ef[k] === 'required');
  };

  interface PageState {
    values?: Record<string, string> | null;
    details?: Record<string, string> | null;
    errors?: Record<string, string>;
    status?: number;
  }

  const showPage = async (req: Request, res: Response, entry: q.EntryRow, s: PageState = {}) => {
    const contest = contestOf(res);
    const entrant = await q.findEntrant(d.pool, entry.entrant_id);
    const fields = askedFields(res);
    const storedDetails: Record<string, string> = entrant
      ? { displayName: entrant.display_name ?? '', email: entrant.email ?? '', phone: entrant.phone_e164 ?? '', ...Object.fromEntries(fields.map((f) => [f, extraFieldValue(entrant, f)])) }
      : {};
    await render(
      res,
      'entries/my',
      {
        title: req.t('entries.my.title'),
        contest,
        entry,
        entrant: entrant ? { ...entrant, national_id: maskNationalId(entrant.national_id) } : null,
        fields,
        canChange: acceptsCorrections(contest) && entry.status !== 'withdrawn',
        values: s.values ?? { title: entry.title, description: entry.description, tiktokUrl: entry.tiktok_url_input },
        details: s.details ?? storedDetails,
        errors: s.errors ?? {},
        styles: ['entries.css'],
      },
      s.status ?? 200,
    );
  };

  const lookupPage = async (req: Request, res: Response, values: Record<string, string>, errors: Record<string, string>, status = 200) => {
    const contest = contestOf(res);
    const access = req.session.entryAccess ?? [];
    const own = access.length ? await q.ownEntriesOf(d.pool, contest.id, access) : [];
    await render(
      res,
      'entries/lookup',
      { title: req.t('entries.my.lookup'), contest, own, values: { code: '', contact: '', email: '', entryCode: '', ...values }, errors, minutes: SIGN_IN_LINK_MINUTES, styles: ['entries.css'] },
      status,
    );
  };

  const signInPage = (req: Request, res: Response, state: 'sent' | 'confirm' | 'used', extra: Record<string, unknown> = {}, status = 200) =>
    render(
      res,
      'entries/signInLink',
      { title: req.t(`entries.signIn.${state}Title`), contest: contestOf(res), state, minutes: SIGN_IN_LINK_MINUTES, styles: ['entries.css'], ...extra },
      status,
    );

  /** What the details form sent, as typed (the national ID too: it is the entrant's own input). */
  const typedDetails = (req: Request, res: Response): Record<string, string> => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const k of ['displayName', 'email', 'phone', ...askedFields(res)]) out[k] = typeof body[k] === 'string' ? (body[k] as string).slice(0, 2048) : '';
    return out;
  };

  return {
    lookupForm: (req: Request, res: Response) => lookupPage(req, res, {}, {}),

    lookup: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      if (d.config.RATE_LIMITS) {
        const c = await hit(d.pool, `lookup:ip:${req.ip ?? 'unknown'}`, 3600);
        if (c.count > d.config.LOOKUP_LIMIT_PER_IP_PER_HOUR) throw new TooManyRequestsError(c.retryAfterSeconds);
      }
      const parsed = tryParse(lookupSchema, req.body);
      const values = { code: typed(req.body?.code).slice(0, 40), contact: typed(req.body?.contact).slice(0, 254) };
      if (!parsed.ok) return lookupPage(req, res, values, parsed.errors, 422);
      const contact = parsed.data.contact;
      const email = contact.includes('@') ? normaliseEmail(contact) : null;
      const phone = email ? null : normalisePhone(contact);
      const entry = email || phone ? await q.findEntryByCodeAndContact(d.pool, contest.id, parsed.data.code, email, phone) : undefined;
      // The same answer for an unknown code and for a known code with the wrong contact.
      if (!entry) return lookupPage(req, res, values, { _form: 'entries.my.notFound' }, 200);
      grant(req, entry.id);
      req.session.save(() => res.redirect(303, `/c/${contest.slug}/my/${entry.code}`));
    },

    show: async (req: Request, res: Response) => {
      const entry = await loadOwnEntry(req, res);
      await showPage(req, res, entry);
    },

    correct: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const entry = await loadOwnEntry(req, res);
      const parsed = tryParse(correctionSchema, req.body);
      const values = { title: typed(req.body?.title), description: typed(req.body?.description), tiktokUrl: typed(req.body?.tiktokUrl) };
      if (!parsed.ok) return showPage(req, res, entry, { values, errors: parsed.errors, status: 422 });
      try {
        await correctEntry(d.pool, contest, entry, parsed.data, { now: new Date(), tiktok: tiktokOptions(d) });
      } catch (err) {
        if (err instanceof ValidationError) return showPage(req, res, entry, { values, errors: err.fieldErrors, status: 422 });
        if (err instanceof ConflictError && err.code === 'duplicate_clip') return showPage(req, res, entry, { values, errors: { tiktokUrl: err.messageKey }, status: 409 });
        if (err instanceof AppError && err.code === 'submissions_closed') return showPage(req, res, entry, { values, errors: { _form: 'entries.my.readOnly' }, status: 403 });
        throw err;
      }
      flash(req, 'success', req.t('entries.my.saved'));
      req.session.save(() => res.redirect(303, `/c/${contest.slug}/my/${entry.code}`));
    },

    correctDetails: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const entry = await loadOwnEntry(req, res);
      const now = new Date();
      const details = typedDetails(req, res);
      const parsed = tryParse(entrantDetailsSchema(contest, now), req.body);
      if (!parsed.ok) return showPage(req, res, entry, { details, errors: parsed.errors, status: 422 });
      try {
        await correctEntrantDetails(d.pool, contest, entry, parsed.data, { now, lang: req.lang });
      } catch (err) {
        if (err instanceof ValidationError) return showPage(req, res, entry, { details, errors: err.fieldErrors, status: 422 });
        if (err instanceof ConflictError && err.code === 'entrant_limit') {
          const field = parsed.data.email ? 'email' : 'phone';
          return showPage(req, res, entry, { details, errors: { [field]: req.t(err.messageKey, err.params) }, status: 409 });
        }
        if (err instanceof AppError && err.code === 'submissions_closed') return showPage(req, res, entry, { details, errors: { _form: 'entries.my.readOnly' }, status: 403 });
        throw err;
      }
      flash(req, 'success', req.t('entries.details.saved'));
      req.session.save(() => res.redirect(303, `/c/${contest.slug}/my/${entry.code}`));
    },

    requestLink: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const parsed = tryParse(signInLinkRequestSchema, req.body);
      const values = { email: typed(req.body?.email).slice(0, 254), entryCode: typed(req.body?.entryCode).slice(0, 40) };
      if (!parsed.ok) return lookupPage(req, res, values, parsed.errors, 422);
      await requestSignInLink(d.pool, contest, { email: parsed.data.email, code: parsed.data.entryCode }, {
        now: new Date(),
        ip: req.ip ?? 'unknown',
        lang: req.lang,
        publicUrl: d.config.PUBLIC_URL,
        rateLimits: { enabled: d.config.RATE_LIMITS, perIpPerHour: d.config.LOOKUP_LIMIT_PER_IP_PER_HOUR, perEmailPerHour: d.config.SIGN_IN_LINK_LIMIT_PER_EMAIL_PER_HOUR },
      });
      // The same page whether the address is known or not.
      await signInPage(req, res, 'sent', { email: parsed.data.email });
    },

    linkPage: async (req: Request, res: Response) => {
      const token = typeof req.query.t === 'string' ? req.query.t : '';
      if (!(await signInLinkUsable(d.pool, contestOf(res), token))) return signInPage(req, res, 'used', {}, 410);
      await signInPage(req, res, 'confirm', { token });
    },

    useLink: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const used = await useSignInLink(d.pool, contest, typeof req.body?.token === 'string' ? req.body.token : '');
      if (!used) return signInPage(req, res, 'used', {}, 410);
      for (const e of used.entries) grant(req, e.id);
      req.session.save(() => res.redirect(303, used.goTo ? `/c/${contest.slug}/my/${used.goTo}` : `/c/${contest.slug}/my`));
    },

    replaceFile: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const entry = await loadOwnEntry(req, res);
      try {
        await replaceEntryFile(d.pool, d.store, contest, entry, req.upload, new Date());
      } catch (err) {
        if (err instanceof ValidationError) return showPage(req, res, entry, { errors: err.fieldErrors, status: 422 });
        if (err instanceof AppError && err.code === 'submissions_closed') return showPage(req, res, entry, { errors: { _form: 'entries.my.readOnly' }, status: 403 });
        throw err;
      }
      flash(req, 'success', req.t('entries.my.saved'));
      req.session.save(() => res.redirect(303, `/c/${contest.slug}/my/${entry.code}`));
    },

    withdraw: async (req: Request, res: Response) => {
      const contest = contestOf(res);
      const entry = await loadOwnEntry(req, res);
      try {
        await withdrawEntry(d.pool, contest, entry, new Date());
      } catch (err) {
        if (err instanceof AppError && err.code === 'submissions_closed') return showPage(req, res, entry, { errors: { _form: 'entries.my.readOnly' }, status: 403 });
        throw err;
      }
      flash(req, 'success', req.t('entries.my.withdrawn'));
      req.session.save(() => res.redirect(303, `/c/${contest.slug}/my/${entry.code}`));
    },
  };
}
