import express from 'express';
import type passport from 'passport';
import type { Pool } from 'pg';
import { requireAdmin, requireStaff } from '../http/auth';
import { accountHandlers } from './handlers';

export function accountRoutes(pool: Pool, pp: passport.PassportStatic): express.Router {
  const h = accountHandlers(pool, pp);
  const r = express.Router();
  r.get('/login', h.loginForm);
  r.post('/login', h.login);
  r.post('/logout', h.logout);
  r.get('/staff', requireStaff, h.staffHome);
  r.get('/admin/accounts', requireAdmin, h.listAccounts);
  r.post('/admin/accounts', requireAdmin, h.createAccount);
  r.post('/admin/accounts/:id/disable', requireAdmin, h.setDisabled(true));
  r.post('/admin/accounts/:id/enable', requireAdmin, h.setDisabled(false));
  r.post('/admin/accounts/:id/role', requireAdmin, h.changeRole);
  return r;
}
