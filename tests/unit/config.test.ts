import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TEST_SECRET_KEY } from '../support/app.js';

describe('loadConfig', () => {
  it('gives working defaults for a newcomer: embedded database, port 3000, North American rules', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './.data' });
    expect(config.league.timeZone).toBe('UTC');
    expect(config.league.rules).toEqual({ ginBonus: 25, bigGinBonus: 31, undercutBonus: 25, lineBonus: 25 });
  });

  it('uses Postgres with SSL in production when DATABASE_URL is set', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db.example:5432/league',
      SECRET_KEY: TEST_SECRET_KEY,
      LEAGUE_PASSCODE: 'pub-quiz-42',
      DATABASE_POOL_MAX: '8',
    });
    expect(config.database).toMatchObject({ kind: 'postgres', ssl: true, poolMax: 8 });
  });

  it('lets SSL be switched off', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://localhost/x', DATABASE_SSL: 'false', NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, OPEN_LEAGUE: 'true' });
    expect(config.database).toMatchObject({ ssl: false });
  });

  it('takes the league rules from the environment', () => {
    const config = loadConfig({ GIN_BONUS: '20', LINE_BONUS: '20', LEAGUE_TIME_ZONE: 'Europe/London' });
    expect(config.league.rules.ginBonus).toBe(20);
    expect(config.league.rules.lineBonus).toBe(20);
    expect(config.league.timeZone).toBe('Europe/London');
  });

  it('takes PORT=0 as "any free port" and refuses one out of range', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(() => loadConfig({ PORT: '65536' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/PORT/);
  });

  it('names every bad variable in one readable error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', GIN_BONUS: '-3', LEAGUE_TIME_ZONE: 'Mars/Olympus', DATABASE_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toMatch(/PORT: expected a whole number/);
    expect(message).toMatch(/GIN_BONUS: expected at least 0/);
    expect(message).toMatch(/LEAGUE_TIME_ZONE: expected an IANA time zone/);
    expect(message).toMatch(/DATABASE_URL/);
  });

  it('refuses to run in production without a strong SECRET_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY: required in production/);
  });

  it('refuses to run in production without a passcode, unless the league is open on purpose', () => {
    const env = { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, DATABASE_URL: 'postgres://localhost/league' };
    expect(() => loadConfig(env)).toThrow(/LEAGUE_PASSCODE: required in production/);
    expect(loadConfig({ ...env, OPEN_LEAGUE: 'true' }).access).toEqual({ passcode: null, private: false });
    expect(loadConfig({ ...env, LEAGUE_PASSCODE: 'secret-pass' }).access).toEqual({ passcode: 'secret-pass', private: false });
  });

  it('needs a passcode for a private league, and one of at least 6 characters', () => {
    expect(() => loadConfig({ PRIVATE_LEAGUE: 'true' })).toThrow(/PRIVATE_LEAGUE: a private league needs LEAGUE_PASSCODE/);
    expect(() => loadConfig({ LEAGUE_PASSCODE: 'abc' })).toThrow(/LEAGUE_PASSCODE: at least 6 characters/);
  });

  it('keeps the pool below the smallest Heroku plan\'s 20 connections', () => {
    // 18 and the live feed's listening connection: 19, below the smallest plan's 20.
    expect(() => loadConfig({ DATABASE_POOL_MAX: '19' })).toThrow(/DATABASE_POOL_MAX: expected at most 18/);
  });

  it('refuses weak secrets in production with the command to make a good one', () => {
    const env = { NODE_ENV: 'production', OPEN_LEAGUE: 'true' };
    for (const [secret, why] of [
      ['development-only-secret-do-not-use-in-production', /development default is public/],
      [' '.repeat(40), /whitespace/],
      ['q'.repeat(40), /too predictable/],
      ['0123456789abcdef0123456789abcde', /at least 32 characters/],
    ] as const) {
      expect(() => loadConfig({ ...env, SECRET_KEY: secret }), secret).toThrow(why);
      expect(() => loadConfig({ ...env, SECRET_KEY: secret }), secret).toThrow(/openssl rand -hex 32/);
    }
    // Outside production the development default is fine.
    expect(loadConfig({}).secretKey).toBe('development-only-secret-do-not-use-in-production');
  });

  it('refuses a passcode of spaces anywhere, and an empty one in production', () => {
    expect(() => loadConfig({ LEAGUE_PASSCODE: '      ' })).toThrow(/LEAGUE_PASSCODE: at least 6 characters besides spaces/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, LEAGUE_PASSCODE: '' })).toThrow(/LEAGUE_PASSCODE: required in production/);
    expect(loadConfig({ LEAGUE_PASSCODE: ' our pub ' }).access.passcode).toBe(' our pub ');
  });

  it('trusts one proxy hop in production and none elsewhere, unless TRUST_PROXY says', () => {
    const prod = { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, OPEN_LEAGUE: 'true', DATABASE_URL: 'postgres://localhost/league' };
    expect(loadConfig({}).http.trustProxy).toBe(0);
    expect(loadConfig(prod).http.trustProxy).toBe(1);
    expect(loadConfig({ ...prod, TRUST_PROXY: '' }).http.trustProxy).toBe(1);
    expect(loadConfig({ ...prod, TRUST_PROXY: '0' }).http.trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: expected a whole number of proxy hops/);
  });

  it('reads the hosts the HTTPS redirect may go to', () => {
    expect(loadConfig({}).http).toMatchObject({ canonicalHost: null, allowedHosts: [] });
    expect(loadConfig({ CANONICAL_HOST: 'Scores.Example.org:8443', ALLOWED_HOSTS: ' a.example ,B.example,' }).http).toMatchObject({
      canonicalHost: 'scores.example.org:8443',
      allowedHosts: ['a.example', 'b.example'],
    });
    for (const bad of ['https://x.example', 'x.example/path', 'x..example', 'x.example:port']) {
      expect(() => loadConfig({ CANONICAL_HOST: bad }), bad).toThrow(/CANONICAL_HOST/);
    }
  });
});
