/*
 * Live pages (issue 16), in Chromium at phone size: two phones (browser contexts) on one
 * game and on the leaderboard; a hand saved on one appears on the other within a second,
 * without a reload, the scroll position kept, and a form being filled in is never replaced.
 * On Postgres, the same across two server processes. Every case checks the rows too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDb } from '../support/db.js';
import type { PlayerRow } from '../../src/core/tables.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { atEveryPhoneSize, listen, phonePage, requireBrowserOrSkip, screenshot, useBrowserApp } from '../support/browser.js';
import { spawnServer, type RunningServer } from '../support/server.js';

const t = useTestDb();
const run = requireBrowserOrSkip();
const latencies: Record<string, number[]> = {};
afterAll(() => {
  for (const [what, ms] of Object.entries(latencies)) console.log(`live latency, ${what}: ${ms.join(', ')} ms`);
});

const hands = () => t.db('hands').whereNull('voided_at').orderBy('id');

async function startGame(page: Page, url: string): Promise<string> {
  await page.goto(`${url}/games/new`);
  await page.getByRole('radio', { name: 'North American' }).check();
  await page.getByRole('button', { name: 'Start the game' }).click();
  await page.waitForURL(/\/games\/\d+$/);
  return page.url();
}

/** A game started on phone one and opened on phone two, its stream open and the page marked (see `mark`). */
async function watchGame(one: Page, two: Page, url: string): Promise<string> {
  const gameUrl = await startGame(one, url);
  const opened = streamOpen(two);
  await two.goto(gameUrl);
  await opened;
  await mark(two);
  return gameUrl;
}

/** Fills the scorepad's next hand and saves it; resolves when the server has answered (committed). */
async function saveScorepadHand(page: Page, outcome: string, winner: string, difference: string): Promise<number> {
  await page.getByRole('radio', { name: outcome, exact: true }).check();
  await page.getByRole('radio', { name: winner, exact: true }).check();
  await page.getByLabel('Or just the difference').fill(difference);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Save hand' }).click();
  await answered;
  return Date.now();
}

/** Waits (at most `ms`) until `test` holds in the page, and says how long it took after `since`. */
async function within(page: Page, what: string, since: number, ms: number, test: () => boolean): Promise<number> {
  await page.waitForFunction(test, null, { timeout: ms, polling: 'raf' }).catch(() => {
    throw new Error(`${what}: not within ${ms} ms`);
  });
  const latency = Date.now() - since;
  (latencies[what] ??= []).push(latency);
  return latency;
}

/** A mark in the page's JavaScript world: gone if the page was reloaded. */
const mark = (page: Page) => page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 42));
const stillMarked = (page: Page) => page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark === 42);
/** The live script has its stream open (its first event, or the page being current). */
const streamOpen = (page: Page) => page.waitForResponse((r) => r.url().includes('/events'));

describe.runIf(run)('live pages, on two phones', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  it('a hand saved on one phone appears on the other\'s scorepad within a second, scroll kept, no reload', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const one = await phonePage(b.browser);
    const two = await phonePage(b.browser);
    try {
      const gameUrl = await watchGame(one.page, two.page, b.url);
      await two.page.evaluate(() => window.scrollTo(0, 300));
      const scrollBefore = await two.page.evaluate(() => window.scrollY);
      expect(scrollBefore).toBe(300);

      const saved = await saveScorepadHand(one.page, 'knock', 'Alice', '12');
      const latency = await within(two.page, 'scorepad', saved, 1000, () => document.querySelectorAll('.game-hands > li').length === 1);
      expect(latency).toBeLessThan(1000);
      expect(await two.page.locator('.game-hands > li').first().textContent()).toContain('Alice +12');
      expect(await two.page.locator('.score-a').textContent()).toBe('12');
      // The dealer moved on and the form's heading follows (it was not being filled in).
      expect(await two.page.locator('#next-hand-heading').textContent()).toContain('Hand 2');
      expect(await stillMarked(two.page)).toBe(true);
      expect(await two.page.evaluate(() => window.scrollY)).toBe(scrollBefore);
      await screenshot(two.page, 'live-scorepad-updated');

      // A correction (undo) on the first phone shows too.
      await one.page.getByRole('button', { name: 'Undo the last hand' }).click();
      await one.page.waitForURL(gameUrl);
      await within(two.page, 'scorepad undo', Date.now(), 1000, () => document.querySelectorAll('.game-hands > li').length === 0);
      expect(await two.page.locator('.score-a').textContent()).toBe('0');
      expect(await hands()).toHaveLength(0);
      expect([...one.problems, ...two.problems]).toEqual([]);
    } finally {
      await one.page.context().close();
      await two.page.context().close();
    }
  });

  it('the leaderboard on one phone follows hands recorded and voided on the other', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const one = await phonePage(b.browser);
    const two = await phonePage(b.browser, { colorScheme: 'dark' });
    try {
      const opened = streamOpen(two.page);
      await two.page.goto(`${b.url}/`);
      await opened;
      await mark(two.page);
      await one.page.goto(`${b.url}/hands/new`);
      // (The standings' legend appears with the first hand; opened below, it stays open.)
      await one.page.getByRole('radio', { name: 'gin', exact: true }).check();
      await one.page.getByRole('radio', { name: 'Bob', exact: true }).check();
      await one.page.getByLabel('Deadwood difference').fill('10');
      const answered = one.page.waitForResponse((r) => r.request().method() === 'POST');
      await one.page.getByRole('button', { name: 'Save hand' }).click();
      await answered;
      const saved = Date.now();
      const latency = await within(two.page, 'leaderboard', saved, 1000, () => document.querySelectorAll('.recent-hands > li').length === 1);
      expect(latency).toBeLessThan(1000);
      expect(await two.page.locator('.standings tbody tr').first().textContent()).toContain('Bob');
      expect(await two.page.locator('.recent-hands').textContent()).toContain('+35');
      expect(await stillMarked(two.page)).toBe(true);
      await screenshot(two.page, 'live-leaderboard-updated-dark');
      // The legend opened by the player stays open through the next change.
      await two.page.getByText('What the scores mean').click();
      const legendOpen = () => two.page.locator('details').first().evaluate((d) => (d as HTMLDetailsElement).open);
      expect(await legendOpen()).toBe(true);
      const [alice, bob] = (await t.db('players').orderBy('id')) as [PlayerRow, PlayerRow];
      await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 3 });
      await within(two.page, 'leaderboard, a hand from another process', Date.now(), 1000, () => document.querySelectorAll('.recent-hands > li').length === 2);
      expect(await legendOpen()).toBe(true);

      await one.page.waitForURL(`${b.url}/`);
      await one.page.reload();
      await one.page.getByRole('button', { name: /^Void this hand: Bob/ }).click();
      await expect.poll(() => hands().then((h) => h.length)).toBe(1);
      await within(two.page, 'leaderboard void', Date.now(), 1000, () => document.querySelectorAll('.recent-hands > li').length === 1);
      expect(await two.page.locator('.recent-hands').textContent()).not.toContain('Bob +35');
      expect(await stillMarked(two.page)).toBe(true);
      expect([...one.problems, ...two.problems]).toEqual([]);
    } finally {
      await one.page.context().close();
      await two.page.context().close();
    }
  });

  it('a form being filled in is kept: "1 new hand, tap to refresh the form"', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const one = await phonePage(b.browser);
    const two = await phonePage(b.browser);
    try {
      await watchGame(one.page, two.page, b.url);
      // The second phone starts on the same hand.
      await two.page.getByRole('radio', { name: 'gin', exact: true }).check();
      await two.page.getByLabel('Or just the difference').fill('7');

      const saved = await saveScorepadHand(one.page, 'knock', 'Bob', '4');
      await within(two.page, 'scorepad with a form in progress', saved, 1000, () => document.querySelectorAll('.game-hands > li').length === 1);
      const refresh = two.page.getByRole('button', { name: '1 new hand, tap to refresh the form' });
      await expect.poll(() => refresh.isVisible()).toBe(true);
      // What was typed is still there, under the same heading.
      expect(await two.page.getByLabel('Or just the difference').inputValue()).toBe('7');
      expect(await two.page.getByRole('radio', { name: 'gin', exact: true }).isChecked()).toBe(true);
      expect(await two.page.locator('#next-hand-heading').textContent()).toContain('Hand 1');
      expect(await two.page.locator('.score-b').textContent()).toBe('4');
      await two.page.evaluate(() => window.scrollTo(0, 0));
      // The kept form and its button on both phones, light and dark, the typing still there.
      expect(await atEveryPhoneSize(two.page, 'live-form-kept')).toEqual([]);
      expect(await two.page.getByLabel('Or just the difference').inputValue()).toBe('7');

      await refresh.click();
      await expect.poll(() => two.page.locator('#next-hand-heading').textContent()).toContain('Hand 2');
      expect(await two.page.getByLabel('Or just the difference').inputValue()).toBe('');
      expect(await refresh.count()).toBe(0);
      expect(await stillMarked(two.page)).toBe(true);
      // The refreshed form records the next hand.
      await saveScorepadHand(two.page, 'gin', 'Alice', '5');
      // The script sent it and then loads the scorepad with its "Saved" message: wait for
      // that page, not just the URL (the same before and after), so that the phone is not
      // closed in the middle of a navigation (Chromium's context close then never ended).
      await two.page.locator('main .notification[role="status"]', { hasText: 'Saved' }).waitFor();
      await two.page.waitForLoadState('load');
      expect((await hands()).map((h) => [h.outcome, h.points])).toEqual([
        ['knock', 4],
        ['gin', 30],
      ]);
      expect([...one.problems, ...two.problems]).toEqual([]);
    } finally {
      await two.page.context().close();
      await one.page.context().close();
    }
  });

  it('a game won on one phone shows its result on the other, the form gone', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const one = await phonePage(b.browser);
    const two = await phonePage(b.browser);
    try {
      await watchGame(one.page, two.page, b.url);
      const saved = await saveScorepadHand(one.page, 'gin', 'Alice', '80');
      await within(two.page, 'game result', saved, 1000, () => document.querySelector('.final-breakdown') !== null);
      expect(await two.page.locator('#final-heading').textContent()).toContain('Alice wins');
      expect(await two.page.getByRole('button', { name: 'Save hand' }).count()).toBe(0);
      expect(await two.page.getByText('finished').first().isVisible()).toBe(true);
      await screenshot(two.page, 'live-game-won');
      expect([...one.problems, ...two.problems]).toEqual([]);
    } finally {
      await one.page.context().close();
      await two.page.context().close();
    }
  });

  it('a dropped stream reconnects by itself (Last-Event-ID) and brings the change made while it was down', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { server, url } = await listen(createTestApp(t.db));
    const { page, problems } = await phonePage(b.browser);
    try {
      const opened = streamOpen(page);
      await page.goto(`${url}/`);
      await opened;
      await mark(page);
      const rendered = Number(await page.locator('meta[name="live-version"]').getAttribute('content'));
      // A first change, shown: the browser has an event id (the hello may still be on its way).
      await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 5 });
      await within(page, 'before the cut', Date.now(), 1000, () => document.querySelectorAll('.recent-hands > li').length === 1);
      // The stream is cut (a restarting router or server), and a hand is recorded before it is back.
      const before = Number((await t.db('league_version').first())!.version);
      const reconnecting = page.waitForRequest((r) => r.url().includes('/events'));
      server.closeAllConnections();
      await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'undercut', winner: 'a', deadwood: 4 });
      const reconnection = await reconnecting;
      // The browser's own reconnection (after the retry: 2000 the stream asked for), naming the last id it had.
      const lastEventId = Number((await reconnection.allHeaders())['last-event-id']);
      expect(lastEventId).toBeGreaterThan(rendered);
      expect(lastEventId).toBeLessThanOrEqual(before);
      // (Within 2 s of the reconnecting request: its answer, then the page fetched again.)
      await within(page, 'after a reconnection', Date.now(), 2000, () => document.querySelectorAll('.recent-hands > li').length === 2);
      expect(await stillMarked(page)).toBe(true);
      expect(problems.filter((p) => !/\/events|ERR_/.test(p))).toEqual([]);
    } finally {
      await page.context().close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with the stream blocked, or without JavaScript, the pages work as before', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    for (const javaScriptEnabled of [true, false]) {
      const { page, problems } = await phonePage(b.browser, { javaScriptEnabled });
      try {
        await page.route('**/events*', (route) => route.abort());
        const gameUrl = await startGame(page, b.url);
        await saveScorepadHand(page, 'knock', 'Alice', '3');
        await page.waitForURL(gameUrl);
        // With JavaScript the save is sent by offline.js, and the page then loads the scorepad.
        await expect.poll(() => page.locator('.game-hands > li').count()).toBe(1);
        // A change elsewhere shows on reload, as before.
        const [alice, bob] = (await t.db('players').orderBy('id')) as [PlayerRow, PlayerRow];
        await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 2 });
        await page.goto(`${b.url}/`);
        expect(await page.locator('.recent-hands > li').count()).toBe(2);
        // The blocked stream is the only complaint.
        expect(problems.filter((p) => !/\/events|ERR_FAILED/.test(p))).toEqual([]);
      } finally {
        await page.context().close();
      }
      await t.testDb.reset();
      await makePlayer(t.db, 'Alice');
      await makePlayer(t.db, 'Bob');
    }
  });
});

const postgres = process.env.TEST_DATABASE_URL;
if (!postgres) console.warn('\n*** Live pages across two server processes SKIPPED: they need real Postgres (set TEST_DATABASE_URL). ***\n');

describe.runIf(run && postgres)('live pages across two server processes on Postgres', () => {
  const b = useBrowserApp(() => createTestApp(t.db));
  let one: RunningServer | undefined;
  let two: RunningServer | undefined;
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  it('a hand saved through one process appears within a second on a phone served by the other', async () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: t.testDb.url as string, DATABASE_SSL: 'false', SECRET_KEY: 'shared-secret-of-both-processes-0123456789' };
    [one, two] = await Promise.all([spawnServer(env), spawnServer(env)]);
    expect(one.process.pid).not.toBe(two.process.pid);
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const first = await phonePage(b.browser);
    const second = await phonePage(b.browser);
    const board = await phonePage(b.browser);
    try {
      const gameUrl = await startGame(first.page, one.url);
      const path = new URL(gameUrl).pathname;
      const opened = [streamOpen(second.page), streamOpen(board.page)];
      await second.page.goto(`${two.url}${path}`);
      await board.page.goto(`${two.url}/`);
      await Promise.all(opened);
      await mark(second.page);
      const saved = await saveScorepadHand(first.page, 'gin', 'Bob', '6');
      const latency = await within(second.page, 'scorepad, two processes', saved, 1000, () => document.querySelectorAll('.game-hands > li').length === 1);
      expect(latency).toBeLessThan(1000);
      await within(board.page, 'leaderboard, two processes', saved, 1000, () => document.querySelectorAll('.recent-hands > li').length === 1);
      expect(await second.page.locator('.score-b').textContent()).toBe('31');
      expect(await board.page.locator('.recent-hands').textContent()).toContain('Bob');
      expect(await stillMarked(second.page)).toBe(true);
      expect(await hands()).toHaveLength(1);
      expect([...first.problems, ...second.problems, ...board.problems]).toEqual([]);
    } finally {
      for (const p of [first, second, board]) await p.page.context().close();
    }
  });
});
