import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAssets } from '../../src/cli/buildAssets.js';
import { buildIsCurrent } from '../../bin/build-stamp.mjs';
import { createPgliteDb, migrateLatest, pgliteOf } from '../../src/db.js';
import { PGLITE_TEMPLATE_ENV } from './template.js';

/**
 * Pages link to fingerprinted CSS: build it once before any test renders one, unless the
 * build in public/ is current (Heroku CI built it in heroku-postbuild). On PGlite, migrate
 * one database once and keep its dump: each test file starts from a copy of it instead of
 * creating an engine and running every migration itself (several seconds a file).
 */
export default async function setup(): Promise<() => void> {
  if (buildIsCurrent()) console.log('Assets are current (same sources as the last build).');
  else buildAssets();
  if (process.env.TEST_DATABASE_URL) {
    console.log(`Tests run on Postgres (${new URL(process.env.TEST_DATABASE_URL).host}).`);
    return () => {};
  }
  console.log('Tests run on embedded PGlite; set TEST_DATABASE_URL to run them on Postgres.');
  const db = await createPgliteDb();
  await migrateLatest(db);
  const pglite = pgliteOf(db);
  const dump = await pglite.dumpDataDir('none');
  await db.destroy();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'grl-template-')), 'migrated.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  // Forked test workers inherit the environment.
  process.env[PGLITE_TEMPLATE_ENV] = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
