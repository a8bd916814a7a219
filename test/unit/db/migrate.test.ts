import { checkServerVersion, MigrationError } from '../../../src/db/migrate';

describe('the server version the migrations need', () => {
  it('refuses PostgreSQL 13 with both versions named, before any migration is tried', () => {
    expect(() => checkServerVersion(130016, '13.16 (Debian 13.16-1)')).toThrow(MigrationError);
    expect(() => checkServerVersion(130016, '13.16 (Debian 13.16-1)')).toThrow('PostgreSQL 14 or later is needed; this server is 13.16 (Debian 13.16-1)');
  });
  it('takes 14.0 and later (the embedded engine is 18)', () => {
    expect(() => checkServerVersion(140000, '14.0')).not.toThrow();
    expect(() => checkServerVersion(150014, '15.14')).not.toThrow();
    expect(() => checkServerVersion(180000, '18.0')).not.toThrow();
  });
});
