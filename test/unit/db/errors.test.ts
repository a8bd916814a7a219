import vm from 'node:vm';
import { DbUnavailableError, translateDbError } from '../../../src/db/errors';

describe('translateDbError: a lost database reads as unavailable', () => {
  it('a refused connection becomes DbUnavailableError, with the original as its cause', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const out = translateDbError(err);
    expect(out).toBeInstanceOf(DbUnavailableError);
    expect((out as DbUnavailableError).cause).toBe(err);
  });

  it('an error made in another realm (a worker, a VM context) is recognised too', () => {
    const foreign = vm.runInNewContext("Object.assign(new Error('Connection terminated unexpectedly'), {})") as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(translateDbError(foreign)).toBeInstanceOf(DbUnavailableError);
  });

  it('anything else is passed through untouched: a plain object with the code, a string, another error', () => {
    const lookalike = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' };
    expect(translateDbError(lookalike)).toBe(lookalike);
    expect(translateDbError('ECONNREFUSED')).toBe('ECONNREFUSED');
    const other = new TypeError('x is not a function');
    expect(translateDbError(other)).toBe(other);
  });
});
