import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { npmScriptsIn, procfile, read, readJson, ROOT } from './files.js';

interface AppJson {
  env: Record<string, { description: string; value?: string; generator?: string }>;
  addons: ({ plan: string } | string)[];
  formation: Record<string, { quantity: number }>;
  buildpacks: { url: string }[];
  scripts?: Record<string, string>;
  environments: Record<string, { scripts?: Record<string, string>; addons?: unknown[] }>;
}

const pkg = readJson<{ scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> }>('package.json');
const appJson = readJson<AppJson>('app.json');

describe('app.json', () => {
  it('is valid against the schema of Heroku\'s documented fields', () => {
    const ajv = new Ajv({ allErrors: true });
    ajv.addFormat('uri', /^https?:\/\/\S+$/);
    const validate = ajv.compile(readJson('tests/deploy/app-json.schema.json'));
    const valid = validate(appJson);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema rejects what Heroku would (it is not a rubber stamp)', () => {
    const ajv = new Ajv({ allErrors: true });
    ajv.addFormat('uri', /^https?:\/\/\S+$/);
    const validate = ajv.compile(readJson('tests/deploy/app-json.schema.json'));
    expect(validate({ ...appJson, addon: [] })).toBe(false);
    expect(validate({ ...appJson, env: { SECRET_KEY: { generator: 'secret' } } })).toBe(false);
    expect(validate({ ...appJson, formation: { web: { quantity: 'one' } } })).toBe(false);
  });

  it('names only npm scripts that exist in package.json', () => {
    const commands = [
      ...Object.values(appJson.scripts ?? {}),
      ...Object.values(appJson.environments).flatMap((e) => Object.values(e.scripts ?? {})),
    ];
    const named = commands.flatMap(npmScriptsIn);
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const name of named) expect(Object.keys(pkg.scripts), `npm script "${name}"`).toContain(name);
  });

  it('generates SECRET_KEY, runs in production, describes every variable', () => {
    expect(appJson.env.SECRET_KEY?.generator).toBe('secret');
    expect(appJson.env.NODE_ENV?.value).toBe('production');
    for (const [name, spec] of Object.entries(appJson.env)) expect(spec.description, name).toBeTruthy();
    for (const league of ['LEAGUE_NAME', 'LEAGUE_TIME_ZONE', 'GIN_BONUS', 'LINE_BONUS']) expect(appJson.env).toHaveProperty(league);
  });

  it('gives every Review App its own Postgres and seeds the demo league', () => {
    expect(appJson.buildpacks).toEqual([{ url: 'heroku/nodejs' }]);
    expect(JSON.stringify(appJson.addons)).toContain('heroku-postgresql:essential-0');
    expect(appJson.formation.web?.quantity).toBe(1);
    const review = appJson.environments.review;
    expect(JSON.stringify(review?.addons)).toContain('heroku-postgresql');
    expect(review?.scripts?.postdeploy).toBe('npm run db:seed-demo');
    expect(appJson.environments.test?.scripts?.test).toBeTruthy();
  });
});

describe('the Heroku build', () => {
  it('runs the one build hook from heroku-postbuild', () => {
    expect(pkg.scripts['heroku-postbuild']).toBe('bash bin/post_compile');
    const hook = read('bin/post_compile');
    expect(hook).toMatch(/^#!\/usr\/bin\/env bash/);
    expect(hook).toContain('set -euo pipefail');
    expect(hook).toMatch(/-----> Compiling TypeScript/);
    expect(fs.statSync(path.join(ROOT, 'bin/post_compile')).mode & 0o111).not.toBe(0);
  });

  it('keeps what runs in production in dependencies', () => {
    for (const dep of ['express', 'knex', 'pg', 'nunjucks', 'zod', 'helmet', 'pino']) expect(pkg.dependencies).toHaveProperty(dep);
    for (const buildOnly of ['typescript', 'sass', 'bulma', 'vitest']) expect(pkg.dependencies).not.toHaveProperty(buildOnly);
  });

  it('has a Procfile whose web and release commands exist in the build', () => {
    const processes = procfile();
    expect(processes.web).toBe('node dist/src/server.js');
    expect(processes.release).toBe('node dist/src/cli/migrate.js');
    expect(fs.existsSync(path.join(ROOT, 'src/server.ts'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'src/cli/migrate.ts'))).toBe(true);
  });
});
