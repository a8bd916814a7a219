import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  test('defaults make a working development set-up', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DEFAULT_TIME_ZONE).toBe('Asia/Ho_Chi_Minh');
    expect(c.SESSION_IDLE_MINUTES).toBe(120);
    expect(c.SESSION_ABSOLUTE_HOURS).toBe(12);
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('every bad key is reported at once', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', NODE_ENV: 'production', DEFAULT_TIME_ZONE: 'Mars/Olympus' });
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const keys = (err as ConfigError).problems.map((p) => p.split(':')[0]).sort();
      expect(keys).toEqual(['DATABASE_URL', 'DEFAULT_TIME_ZONE', 'PORT', 'SESSION_SECRET']);
    }
  });

  test('TRUST_PROXY accepts hop counts and booleans', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).TRUST_PROXY).toBe('loopback');
  });
});
