import type { Role } from './queries';

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  organisation: string | null;
}

export const isAdmin = (u: SessionUser | undefined): boolean => u?.role === 'admin';
/** Admins can do everything an organiser does. */
export const isOrganiser = (u: SessionUser | undefined): boolean => u?.role === 'organiser' || u?.role === 'admin';
export const isJudge = (u: SessionUser | undefined): boolean => u?.role === 'judge';
export const canManageAccounts = isAdmin;
