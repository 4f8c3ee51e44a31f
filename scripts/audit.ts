/*
 * `npm run audit`: Lighthouse (mobile configuration) against the leaderboard, the record
 * form, a game page and a player page of a demo league, in Debian's Chromium; prints the
 * four scores of each page and writes bench/audit.json. Targets (reported, not enforced):
 * performance >= 95, accessibility 100, best practices 100, SEO >= 90.
 * AUDIT_PAGES=2 audits only the first pages (CI runs a reduced audit).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createPgliteDb, migrateLatest } from '../src/db.js';
import { seedDemo } from '../src/cli/seedDemo.js';
import { gameHandRecord, gameStart } from '../src/games/services.js';

// An open league, so that the record form is shown without signing in.
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', LEAGUE_NAME: 'The Crown & Anchor' });
const db = await createPgliteDb();
await migrateLatest(db);
await seedDemo({ db, rules: config.league.rules });
const [alice, bob] = await db('players').orderBy('id');
const { id: gameId } = await gameStart({ db, playerAId: alice!.id, playerBId: bob!.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
await gameHandRecord({ db, gameId, entry: { outcome: 'gin', winner: 'a', difference: 14 }, idempotencyKey: crypto.randomUUID() });
const server = createApp({ config, db, logger: pino({ level: 'silent' }) }).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const pages = [
  ['leaderboard', '/'],
  ['record a hand', '/hands/new'],
  ['game', `/games/${gameId}`],
  ['player', `/players/${alice!.id}`],
].slice(0, Number(process.env.AUDIT_PAGES ?? 4));

const chrome = await launch({
  chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const results: Record<string, Record<string, number>> = {};
try {
  for (const [name, path] of pages) {
    const run = await lighthouse(`${base}${path}`, { port: chrome.port, output: 'json', logLevel: 'error' });
    const categories = run?.lhr.categories ?? {};
    results[name as string] = Object.fromEntries(Object.entries(categories).map(([k, c]) => [k, Math.round((c.score ?? 0) * 100)]));
    const failing = Object.values(run?.lhr.audits ?? {})
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual')
      .map((a) => a.id);
    console.log(`${String(name).padEnd(14)} ${JSON.stringify(results[name as string])}${failing.length ? `  (below full marks: ${failing.slice(0, 8).join(', ')})` : ''}`);
  }
} finally {
  chrome.kill();
  server.close();
  await db.destroy();
}
const met = (v: number | undefined, target: number) => (v !== undefined && v >= target ? 'met' : 'MISSED');
for (const [name, s] of Object.entries(results)) {
  console.log(
    `${name}: performance ${s.performance} (>=95 ${met(s.performance, 95)}), accessibility ${s.accessibility} (100 ${met(s.accessibility, 100)}), best practices ${s['best-practices']} (100 ${met(s['best-practices'], 100)}), SEO ${s.seo} (>=90 ${met(s.seo, 90)})`,
  );
}
fs.mkdirSync('bench', { recursive: true });
fs.writeFileSync('bench/audit.json', JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
