import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
      SECRET_KEY: 'x'.repeat(40),
      LEAGUE_PASSCODE: 'pub-quiz-42',
      DATABASE_POOL_MAX: '8',
    });
    expect(config.database).toMatchObject({ kind: 'postgres', ssl: true, poolMax: 8 });
  });

  it('lets SSL be switched off', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://localhost/x', DATABASE_SSL: 'false', NODE_ENV: 'production', SECRET_KEY: 'y'.repeat(32), OPEN_LEAGUE: 'true' });
    expect(config.database).toMatchObject({ ssl: false });
  });

  it('takes the league rules from the environment', () => {
    const config = loadConfig({ GIN_BONUS: '20', LINE_BONUS: '20', LEAGUE_TIME_ZONE: 'Europe/London' });
    expect(config.league.rules.ginBonus).toBe(20);
    expect(config.league.rules.lineBonus).toBe(20);
    expect(config.league.timeZone).toBe('Europe/London');
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
    const env = { NODE_ENV: 'production', SECRET_KEY: 's'.repeat(40), DATABASE_URL: 'postgres://localhost/league' };
    expect(() => loadConfig(env)).toThrow(/LEAGUE_PASSCODE: required in production/);
    expect(loadConfig({ ...env, OPEN_LEAGUE: 'true' }).access).toEqual({ passcode: null, private: false });
    expect(loadConfig({ ...env, LEAGUE_PASSCODE: 'secret-pass' }).access).toEqual({ passcode: 'secret-pass', private: false });
  });

  it('needs a passcode for a private league, and one of at least 6 characters', () => {
    expect(() => loadConfig({ PRIVATE_LEAGUE: 'true' })).toThrow(/PRIVATE_LEAGUE: a private league needs LEAGUE_PASSCODE/);
    expect(() => loadConfig({ LEAGUE_PASSCODE: 'abc' })).toThrow(/LEAGUE_PASSCODE: at least 6 characters/);
  });

  it('keeps the pool below the smallest Heroku plan\'s 20 connections', () => {
    expect(() => loadConfig({ DATABASE_POOL_MAX: '20' })).toThrow(/DATABASE_POOL_MAX: expected at most 19/);
  });
});
