import crypto from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestDb, type TestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { seedDemo } from '../../src/cli/seedDemo.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';
import { axeViolations } from '../support/axe.js';
import { launchBrowser, listen, phonePage, requireBrowserOrSkip } from '../support/browser.js';

const run = requireBrowserOrSkip();

describe.runIf(run)('accessibility of every page (axe-core), light and dark', () => {
  let testDb: TestDb;
  let browser: Browser;
  let server: Server;
  let url: string;
  let pages: string[];

  beforeAll(async () => {
    testDb = await createTestDb();
    await seedDemo({ db: testDb.db, rules: NORTH_AMERICAN });
    const [alice, bob] = await testDb.db('players').orderBy('id');
    const { id: gameId } = await gameStart({ db: testDb.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'oklahoma', idempotencyKey: crypto.randomUUID() });
    const { handId } = await gameHandRecord({ db: testDb.db, gameId, entry: { outcome: 'gin', winner: 'a', difference: 12, upcard: { rank: '7', suit: 'S' } }, idempotencyKey: crypto.randomUUID() });
    const { id: finished } = await gameStart({ db: testDb.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'b', preset: 'pagat', idempotencyKey: crypto.randomUUID() });
    await gameHandRecord({ db: testDb.db, gameId: finished, entry: { outcome: 'knock', winner: 'b', difference: 120 }, idempotencyKey: crypto.randomUUID() });
    pages = [
      '/', '/?order=rating', '/?month=2026-10', '/hands/new', '/games/new', `/games/${gameId}`, `/games/${finished}`,
      `/games/${gameId}/hands/${handId}/edit`, '/players', `/players/${alice.id}`, `/head-to-head/${alice.id}/${bob.id}`,
      '/records', '/activity', '/export', '/sign-in', '/no-such-page',
    ];
    browser = await launchBrowser();
    ({ server, url } = await listen(createTestApp(testDb.db)));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await testDb?.destroy();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no violations (${scheme})`, async () => {
      const { page, problems } = await phonePage(browser, { colorScheme: scheme });
      const found: string[] = [];
      for (const path of pages) {
        await page.goto(url + path);
        for (const v of await axeViolations(page)) found.push(`${path}: ${v}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) found.push(`${path}: wider than the phone by ${overflow}px`);
      }
      expect(found).toEqual([]);
      expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    }, 120_000);
  }
});
