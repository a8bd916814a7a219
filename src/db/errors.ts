import { types } from 'node:util';
import { DatabaseError } from 'pg';

/** SQLSTATE codes that carry meaning for the services; everything else stays a plain error. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export class DbConstraintError extends Error {
  constructor(
    readonly kind: 'unique' | 'foreign_key' | 'check' | 'not_null',
    readonly constraint: string | undefined,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'DbConstraintError';
  }
}

export class UniqueViolation extends DbConstraintError {
  constructor(constraint: string | undefined, message: string, detail?: string) {
    super('unique', constraint, message, detail);
    this.name = 'UniqueViolation';
  }
}
export class ForeignKeyViolation extends DbConstraintError {
  constructor(constraint: string | undefined, message: string, detail?: string) {
    super('foreign_key', constraint, message, detail);
    this.name = 'ForeignKeyViolation';
  }
}
export class CheckViolation extends DbConstraintError {
  constructor(constraint: string | undefined, message: string, detail?: string) {
    super('check', constraint, message, detail);
    this.name = 'CheckViolation';
  }
}

/**
 * The database refused a value's characters (NUL in text, 22021; 22P05): bad input, never a 500.
 * Forms screen these first (src/http/validate.ts); this is the last line of defence.
 */
export class DbBadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DbBadInputError';
  }
}

/** The database could not be reached or dropped the connection: the request may be retried. */
export class DbUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super('database unavailable');
    this.name = 'DbUnavailableError';
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

function isUnavailable(err: unknown): boolean {
  // isNativeError, not instanceof: a socket error made in another realm (a worker, a VM context,
  // Jest's sandbox) is no instance of this realm's Error, and a lost database must still read as one.
  if (!types.isNativeError(err)) return false;
  const code = (err as { code?: string }).code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly/i.test(err.message);
}

export function translateDbError(err: unknown): unknown {
  if (err instanceof DatabaseError) {
    switch (err.code) {
      case SQLSTATE.uniqueViolation:
        return new UniqueViolation(err.constraint, err.message, err.detail);
      case SQLSTATE.foreignKeyViolation:
        return new ForeignKeyViolation(err.constraint, err.message, err.detail);
      case SQLSTATE.checkViolation:
        return new CheckViolation(err.constraint, err.message, err.detail);
      case SQLSTATE.notNullViolation:
        return new DbConstraintError('not_null', err.column, err.message, err.detail);
      case '22021':
      case '22P05':
        return new DbBadInputError(err.message);
    }
  }
  if (isUnavailable(err)) return new DbUnavailableError(err);
  return err;
}
