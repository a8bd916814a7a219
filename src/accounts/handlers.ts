import type { NextFunction, Request, Response } from 'express';
import type passport from 'passport';
import type { Pool } from 'pg';
import { staffActor } from '../audit/service';
import { safeReturnPath, currentUser } from '../http/auth';
import { csrfTokenFor } from '../http/csrf';
import { AppError, NotFoundError } from '../http/errors';
import { flash, redirectAfterSave, render } from '../http/render';
import { tryParse } from '../http/validate';
import { listUsers, type Role } from './queries';
import { changeRoleSchema, createUserSchema } from './schemas';
import * as service from './service';

export function accountHandlers(pool: Pool, pp: passport.PassportStatic) {
  return {
    loginForm: async (req: Request, res: Response) => {
      if (req.user) return res.redirect(303, '/staff');
      await render(res, 'accounts/login', { title: req.t('login.title'), values: { email: '' }, error: null });
    },

    login: (req: Request, res: Response, next: NextFunction) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.slice(0, 254) : '';
      pp.authenticate('local', (err: unknown, user: Express.User | false) => {
        if (err instanceof AppError && err.status === 429) {
          res.set('Retry-After', String((err as { retryAfterSeconds?: number }).retryAfterSeconds ?? 60));
          return render(res, 'accounts/login', { title: req.t('login.title'), values: { email }, error: req.t(err.messageKey, err.params) }, 429).catch(next);
        }
        if (err) return next(err);
        if (!user) {
          return render(res, 'accounts/login', { title: req.t('login.title'), values: { email }, error: req.t('login.failed') }, 401).catch(next);
        }
        const returnTo = req.session.returnTo;
        // A fresh session id at login defeats session fixation.
        req.session.regenerate((regenErr) => {
          if (regenErr) return next(regenErr);
          req.login(user, (loginErr) => {
            if (loginErr) return next(loginErr);
            req.session.createdAt = Date.now();
            req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, safeReturnPath(returnTo))));
          });
        });
      })(req, res, next);
    },

    logout: (req: Request, res: Response, next: NextFunction) => {
      req.logout((err) => {
        if (err) return next(err);
        // Destroyed server-side: the old cookie is worthless even if someone kept it.
        req.session.destroy((destroyErr) => {
          if (destroyErr) return next(destroyErr);
          res.clearCookie('clipjury.sid');
          res.redirect(303, '/login?bye=1');
        });
      });
    },

    staffHome: async (req: Request, res: Response) => {
      await render(res, 'accounts/staff', { title: req.t('staff.title') });
    },

    listAccounts: async (req: Request, res: Response) => {
      const users = await listUsers(pool);
      await render(res, 'accounts/list', { title: req.t('accounts.title'), users, values: { role: 'judge' }, errors: {} });
    },

    createAccount: async (req: Request, res: Response) => {
      const parsed = tryParse(createUserSchema, req.body);
      const rerender = async (errors: Record<string, string>) => {
        const users = await listUsers(pool);
        const { password: _omit, ...values } = (req.body ?? {}) as Record<string, unknown>;
        await render(res, 'accounts/list', { title: req.t('accounts.title'), users, values, errors }, 422);
      };
      if (!parsed.ok) return rerender(parsed.errors);
      try {
        const user = await service.createUser(pool, parsed.data, staffActor(currentUser(req), String(req.id)));
        flash(req, 'success', req.t('accounts.created', { email: user.email }));
        redirectAfterSave(req, res, '/admin/accounts');
      } catch (err) {
        if (err instanceof AppError && err.code === 'email_taken') return rerender({ email: err.messageKey });
        throw err;
      }
    },

    setDisabled: (disabled: boolean) => async (req: Request, res: Response) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id)) throw new NotFoundError();
      await service.setUserDisabled(pool, id, disabled, staffActor(currentUser(req), String(req.id)));
      flash(req, 'success', req.t('accounts.updated'));
      redirectAfterSave(req, res, '/admin/accounts');
    },

    changeRole: async (req: Request, res: Response) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id)) throw new NotFoundError();
      const parsed = tryParse(changeRoleSchema, req.body);
      if (!parsed.ok) throw new NotFoundError();
      await service.changeUserRole(pool, id, parsed.data.role as Role, staffActor(currentUser(req), String(req.id)));
      flash(req, 'success', req.t('accounts.updated'));
      redirectAfterSave(req, res, '/admin/accounts');
    },

    csrfToken: csrfTokenFor,
  };
}
