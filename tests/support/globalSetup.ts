import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildAssets } from '../../src/cli/buildAssets.js';
import { buildIsCurrent } from '../../bin/build-stamp.mjs';
import { createPgliteDb, migrateLatest, pgliteOf } from '../../src/db.js';
import { PGLITE_TEMPLATE_ENV } from './template.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Kept between runs (and wiped by `npm ci`): the migrated template and the assets' stamp. */
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'gin-rummy-leaderboard-tests');

/** A hash of the files' contents (folders walked), to tell whether a cached result is current. */
function hashOf(entries: string[]): string {
  const hash = crypto.createHash('sha256');
  const walk = (rel: string) => {
    const full = path.join(ROOT, rel);
    if (!fs.existsSync(full)) return hash.update(`${rel}\0missing\0`);
    if (fs.statSync(full).isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) walk(path.join(rel, name));
      return;
    }
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(full));
  };
  for (const entry of entries) walk(entry);
  return hash.digest('hex').slice(0, 16);
}

/*
 * Pages link to fingerprinted CSS: build it before any test renders one, unless public/ is
 * current: either the whole build is (Heroku CI built it in heroku-postbuild), or the tests
 * built the assets from these same sources on an earlier run (1.5 s of Sass and Brotli saved).
 */
function ensureAssets(): void {
  if (buildIsCurrent()) return console.log('Assets are current (same sources as the last build).');
  const stampFile = path.join(CACHE_DIR, 'assets.stamp');
  const stamp = hashOf(['static', 'src/cli/buildAssets.ts', 'src/http/assets.ts', 'src/core/paths.ts', 'package-lock.json']);
  const manifestFile = path.join(ROOT, 'public', 'manifest.json');
  const built = () => {
    try {
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, string>;
      return Object.values(manifest).every((file) => fs.existsSync(path.join(ROOT, 'public', 'static', file)));
    } catch {
      return false;
    }
  };
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && built()) {
    return console.log('Assets are current (built by an earlier test run from the same sources).');
  }
  buildAssets();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(stampFile, stamp);
}

/*
 * On PGlite, one migrated database is dumped, and each test file starts from a copy of it
 * instead of creating an engine and running every migration itself (several seconds a
 * file). The dump is kept between runs, named by a hash of what makes it (the migrations,
 * the code they and the engine's settings come from, the locked package versions): making
 * it costs 4 to 5 s of CPU before any test can start.
 */
async function pgliteTemplate(): Promise<string> {
  const file = path.join(CACHE_DIR, `template-${hashOf(['migrations', 'src/db.ts', 'src/core', 'package-lock.json'])}.tar`);
  if (fs.existsSync(file)) return file;
  const db = await createPgliteDb();
  await migrateLatest(db);
  const dump = await pgliteOf(db).dumpDataDir('none');
  await db.destroy();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  for (const old of fs.readdirSync(CACHE_DIR).filter((name) => /^template-.*\.tar$/.test(name))) fs.rmSync(path.join(CACHE_DIR, old), { force: true });
  // Written under another name first: a run that stops half-way leaves no broken template.
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  fs.renameSync(partial, file);
  return file;
}

export default async function setup(): Promise<void> {
  ensureAssets();
  if (process.env.TEST_DATABASE_URL) {
    console.log(`Tests run on Postgres (${new URL(process.env.TEST_DATABASE_URL).host}).`);
    return;
  }
  console.log('Tests run on embedded PGlite; set TEST_DATABASE_URL to run them on Postgres.');
  // Forked test workers inherit the environment.
  process.env[PGLITE_TEMPLATE_ENV] = await pgliteTemplate();
}
