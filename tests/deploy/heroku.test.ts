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
  environments: Record<string, { scripts?: Record<string, string>; addons?: unknown[]; env?: Record<string, { value?: string }> }>;
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

  it('gives every Review App its own Postgres and seeds the demo league there only', () => {
    expect(appJson.buildpacks).toEqual([{ url: 'heroku/nodejs' }]);
    expect(JSON.stringify(appJson.addons)).toContain('heroku-postgresql:essential-0');
    expect(appJson.formation.web?.quantity).toBe(1);
    const review = appJson.environments.review;
    expect(JSON.stringify(review?.addons)).toContain('heroku-postgresql');
    // Heroku runs postdeploy from the top-level scripts (after creating a Review App or a
    // Deploy-button app); the seed runs only where environments.review asks for it.
    expect(appJson.scripts?.postdeploy).toBe('npm run db:seed-review');
    expect(pkg.scripts['db:seed-review']).toBe('node dist/src/cli/seedDemo.js --if-asked');
    expect(review?.scripts?.postdeploy).toBeUndefined();
    expect(review?.env?.SEED_DEMO).toMatchObject({ value: 'true' });
    expect(appJson.env.SEED_DEMO).toBeUndefined();
    expect(appJson.environments.test?.scripts?.test).toBeTruthy();
  });

  it('builds once on Heroku CI: test-setup skips a build that is current', () => {
    expect(appJson.environments.test?.scripts?.['test-setup']).toBe('npm run build:if-stale');
    expect(pkg.scripts['build:if-stale']).toBe('bash bin/post_compile --if-stale');
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

  it('runs on Node 24 LTS', () => {
    expect(readJson<{ engines: { node: string } }>('package.json').engines.node).toBe('24.x');
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^24\./);
  });

  it('has a Procfile whose web and release commands exist in the build', () => {
    const processes = procfile();
    // Heap and compiler settings measured with npm run bench: under 128 MB resident on PostgreSQL.
    expect(processes.web).toBe('node --max-semi-space-size=1 --max-old-space-size=96 --no-opt --no-maglev --liftoff-only dist/src/server.js');
    expect(processes.release).toBe('node dist/src/cli/migrate.js');
    expect(fs.existsSync(path.join(ROOT, 'src/server.ts'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'src/cli/migrate.ts'))).toBe(true);
  });
});
