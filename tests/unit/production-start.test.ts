import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadDotEnv } from '../../src/core/dotenv.js';
import { TEST_SECRET_KEY } from '../support/app.js';
import { PGLITE_TEMPLATE_ENV } from '../support/template.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const production = { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, LEAGUE_PASSCODE: 'pub-quiz-42' };

describe('production without DATABASE_URL', () => {
  it('refuses to start, saying why and what to set', () => {
    let error: unknown;
    try {
      loadConfig(production);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/DATABASE_URL: required in production/);
    expect(message).toMatch(/lose at every restart/);
    expect(message).toMatch(/EMBEDDED_DATABASE_IN_PRODUCTION=true/);
  });

  it('runs on the embedded database when the operator says so explicitly', () => {
    expect(loadConfig({ ...production, EMBEDDED_DATABASE_IN_PRODUCTION: 'true', DATA_DIR: '/data' }).database).toEqual({ kind: 'pglite', dataDir: '/data' });
    expect(() => loadConfig({ ...production, EMBEDDED_DATABASE_IN_PRODUCTION: 'yes' })).toThrow(/EMBEDDED_DATABASE_IN_PRODUCTION/);
  });

  it('is no concern outside production, nor with a DATABASE_URL', () => {
    expect(loadConfig({}).database.kind).toBe('pglite');
    expect(loadConfig({ ...production, DATABASE_URL: 'postgres://db.example/league' }).database.kind).toBe('postgres');
  });
});

describe('the drain time after SIGTERM', () => {
  it('is 8 s by default, configurable, and kept below Heroku\'s 30 s', () => {
    expect(loadConfig({}).shutdownDrainMs).toBe(8000);
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '20000' }).shutdownDrainMs).toBe(20_000);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '30000' })).toThrow(/SHUTDOWN_DRAIN_MS: expected at most 25000/);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '0' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });
});

describe('.env', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grl-dotenv-'));
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['GRL_TEST_FROM_FILE', 'GRL_TEST_BOTH']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('is read with --dotenv, and the real environment wins', () => {
    fs.writeFileSync(path.join(dir, '.env'), 'GRL_TEST_FROM_FILE=file\nGRL_TEST_BOTH=file\n');
    process.env.GRL_TEST_BOTH = 'environment';
    expect(loadDotEnv(['node', 'server.js', '--dotenv'], dir)).toBe(path.join(dir, '.env'));
    expect(process.env.GRL_TEST_FROM_FILE).toBe('file');
    expect(process.env.GRL_TEST_BOTH).toBe('environment');
  });

  it('is ignored without --dotenv (a server the tests start), and optional with it', () => {
    fs.writeFileSync(path.join(dir, '.env'), 'GRL_TEST_FROM_FILE=file\n');
    expect(loadDotEnv(['node', 'server.js'], dir)).toBeNull();
    expect(process.env.GRL_TEST_FROM_FILE).toBeUndefined();
    expect(loadDotEnv(['node', 'server.js', '--dotenv'], os.tmpdir() + '/no-such-folder')).toBeNull();
  });
});

describe('the embedded engine', () => {
  it('is loaded only when the embedded database is used', { timeout: 60_000 }, () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).filter((k) => /pglite/.test(k)).length;
      const { createDb, createPgliteDb } = await import('./src/db.ts');
      const db = createDb({ kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', ssl: false, poolMax: 1, statementTimeoutMs: 1000 });
      const onPostgres = loaded();
      await db.destroy();
      // From the tests' migrated template when there is one (the setup made it): creating an
      // engine from nothing takes seconds of CPU and loads the same modules.
      const template = process.env.${PGLITE_TEMPLATE_ENV};
      const embedded = await createPgliteDb(undefined, template ? { loadDataDir: new Blob([(await import('node:fs')).readFileSync(template)]) } : {});
      await embedded.raw('select 1');
      console.log(JSON.stringify({ onPostgres, onPglite: loaded() }));
      await embedded.destroy();`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ onPostgres: 0, onPglite: 2 });
  });

  it('is never imported statically by the data layer', () => {
    const source = fs.readFileSync(path.join(ROOT, 'src/db.ts'), 'utf8');
    expect(source).not.toMatch(/^import (?!type )[^;]*from '(@electric-sql\/pglite|knex-pglite)'/m);
  });
});
