/*
 * Takes the README's screenshot: the demo league's leaderboard on a 390 px phone.
 * Run with `npm run screenshot` (needs Chromium; see CHROMIUM_PATH).
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createPgliteDb, migrateLatest } from '../src/db.js';
import { seedDemo } from '../src/cli/seedDemo.js';

const config = loadConfig({ NODE_ENV: 'test', LEAGUE_NAME: 'The Crown & Anchor' });
const db = await createPgliteDb();
await migrateLatest(db);
await seedDemo({ db, rules: config.league.rules });
const server = createApp({ config, db, logger: pino({ level: 'silent' }) }).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
await page.goto(`http://127.0.0.1:${port}/`);
await page.screenshot({ path: 'docs/leaderboard-phone.png' });
await page.goto(`http://127.0.0.1:${port}/hands/new`);
await page.screenshot({ path: 'docs/record-hand-phone.png' });
await browser.close();
server.close();
await db.destroy();
console.log('Wrote docs/leaderboard-phone.png and docs/record-hand-phone.png');
