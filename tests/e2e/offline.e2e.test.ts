/*
 * Offline at the table (issue 16), in Chromium at phone size: the scorepad and the record
 * form open with no connection once visited (the service worker's copy, marked "Offline:
 * last updated"); hands saved with no connection wait on the phone and are sent when it
 * returns, exactly once and in order; a hand the server refuses stays, with its reason.
 * Every case checks the rows in the database.
 */
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { atEveryPhoneSize, requireBrowserOrSkip, screenshot, useBrowserApp, type PhoneOptions } from '../support/browser.js';
import { phoneWithTiming } from '../support/liefi.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

const hands = () => t.db('hands').whereNull('voided_at').orderBy('id');
/** Chrome logs what fails for want of a connection; those are the point here, not faults. */
const unexpected = (problems: string[]) => problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|status of 503|status of 409/.test(p));

async function startGame(page: Page, url: string): Promise<string> {
  await page.goto(`${url}/games/new`);
  await page.getByRole('radio', { name: 'North American' }).check();
  await page.getByRole('button', { name: 'Start the game' }).click();
  await page.waitForURL(/\/games\/\d+$/);
  return page.url();
}

/** The service worker controls the page and has kept a copy of it. */
async function keptForOffline(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const path = new URL(page.url()).pathname;
  await expect
    .poll(() => page.evaluate(async (p) => (await (await caches.open('pages-v1')).keys()).some((r) => new URL(r.url).pathname === p), path))
    .toBe(true);
}

/**
 * Two hands wait (Alice won the first, Bob the second): the next hand's heading counts them
 * (the loser of the last deals), and the totals, which do not include them, say so.
 */
async function scorepadCounts(page: Page, waiting: 2) {
  expect(await page.locator('#next-hand-heading').textContent()).toBe(`Hand ${1 + waiting} · Alice deals`);
  expect(await page.locator('#next-hand-counted').textContent()).toBe(`Counting ${waiting} hands waiting to send from this phone.`);
  expect(await page.locator('#pending-hands').textContent()).toBe(`Not in these totals yet: ${waiting} hands waiting to send from this phone.`);
  expect(await page.locator('.score-a').textContent()).toBe('0');
  expect(
    await page.locator('.scoreboard .box').evaluateAll((boxes) =>
      boxes.filter((box) => Array.from(box.querySelectorAll<HTMLElement>('.dealer')).some((mark) => !mark.hidden)).map((box) => box.querySelector('p')?.textContent),
    ),
  ).toEqual(['Alice']);
}

async function fillScorepadHand(page: Page, outcome: string, winner: string, difference: string) {
  await page.getByRole('radio', { name: outcome, exact: true }).check();
  await page.getByRole('radio', { name: winner, exact: true }).check();
  await page.getByLabel('Or just the difference').fill(difference);
}

const outbox = (page: Page) => page.locator('#outbox');
/**
 * The phone tries again every RETRY_MS while hands wait (15 s in use): what the tests wait
 * for is the hand arriving, not the clock.
 */
const RETRY_MS = 500;
const phonePage = (browser: Browser, options: PhoneOptions = {}) => phoneWithTiming(browser, { answerMs: 5000, retryMs: RETRY_MS }, options);

describe.runIf(run)('offline at the table', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  it('two hands saved with no connection (one tapped twice) are stored once each, in order, when it returns', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    try {
      const gameUrl = await startGame(page, b.url);
      await keptForOffline(page);

      await page.context().setOffline(true);
      await fillScorepadHand(page, 'knock', 'Alice', '11');
      await page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => outbox(page).locator('h2').textContent()).toBe('1 hand waiting to send');
      await fillScorepadHand(page, 'gin', 'Bob', '7');
      await page.getByRole('button', { name: 'Save hand' }).dblclick();
      await expect.poll(() => outbox(page).locator('h2').textContent()).toBe('2 hands waiting to send');
      expect(await outbox(page).locator('li').allTextContents()).toEqual([
        expect.stringContaining('Alice v Bob: knock, Alice won, difference 11'),
        expect.stringContaining('Alice v Bob: gin, Bob won, difference 7'),
      ]);
      expect(await hands()).toHaveLength(0);
      await scorepadCounts(page, 2);

      // The scorepad opens again with no connection: the copy, marked as one, and the hands still waiting.
      await page.reload();
      await expect.poll(() => page.locator('#offline-banner').textContent()).toMatch(/^Offline: last updated \d\d:\d\d\. The scores may have changed since\.$/);
      await expect.poll(() => outbox(page).locator('h2').textContent()).toBe('2 hands waiting to send');
      await scorepadCounts(page, 2);
      expect(await atEveryPhoneSize(page, 'offline-scorepad-waiting')).toEqual([]);
      expect(await hands()).toHaveLength(0);

      await page.context().setOffline(false);
      await expect.poll(() => hands().then((h) => h.length), { timeout: 5000 }).toBe(2);
      await expect.poll(() => outbox(page).locator('li').count()).toBe(0);
      expect((await hands()).map((h) => [h.outcome, h.points])).toEqual([
        ['knock', 11],
        ['gin', 32],
      ]);
      // The page follows (live), and says the hands were sent; the copy's banner is gone.
      await expect.poll(() => page.locator('.game-hands > li').count(), { timeout: 3000 }).toBe(2);
      await expect.poll(() => page.locator('#offline-banner').count()).toBe(0);
      expect(await page.locator('#outbox-sent').textContent()).toBe('Sent from this phone: Saved: Alice +11 (knock). Saved: Bob +32 (gin).');
      // The hands are in the totals now; the heading is the server's own again.
      expect(await page.locator('#pending-hands').count()).toBe(0);
      expect(await page.locator('#next-hand-counted').count()).toBe(0);
      expect(await page.locator('#next-hand-heading').textContent()).toBe('Hand 3 · Alice deals');
      await screenshot(page, 'offline-scorepad-sent');
      expect(page.url()).toBe(gameUrl);
      // Nothing more can arrive later (the timer, another load): nothing is left on the phone.
      await page.reload();
      expect(await page.evaluate(() => localStorage.getItem('grl.outbox.v1'))).toBe('[]');
      expect(await hands()).toHaveLength(2);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('the record form opens with no connection; a hand kept there is sent on the next page load after the tab was closed', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    const context = page.context();
    try {
      await page.goto(`${b.url}/hands/new`);
      await keptForOffline(page);
      const keptToken = await page.locator('input[name="token"]').inputValue();
      await context.setOffline(true);
      await page.goto(`${b.url}/hands/new`);
      await expect.poll(() => page.locator('#offline-banner').textContent()).toContain('Offline: last updated');
      // The copy's one-time token may be spent by now: the form has a fresh one.
      await expect.poll(() => page.locator('input[name="token"]').inputValue()).not.toBe(keptToken);
      expect(await page.locator('input[name="token"]').inputValue()).toMatch(/^[A-Za-z0-9_-]{24}$/);
      await page.getByRole('radio', { name: 'gin', exact: true }).check();
      await page.getByRole('radio', { name: 'Bob', exact: true }).check();
      await page.getByLabel('Deadwood difference').fill('9');
      await page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => outbox(page).locator('h2').textContent()).toBe('1 hand waiting to send');
      // The form is ready for the next hand.
      expect(await page.getByLabel('Deadwood difference').inputValue()).toBe('');
      await screenshot(page, 'offline-record-form-waiting');
      await page.close(); // the tab is closed with the hand still on the phone

      await context.setOffline(false);
      const next = await context.newPage();
      await next.goto(`${b.url}/players`);
      await expect.poll(() => hands().then((h) => h.length), { timeout: 5000 }).toBe(1);
      expect((await hands()).map((h) => [h.player_a_id, h.player_b_id, h.winner_id, h.outcome, h.points])).toEqual([[alice.id, bob.id, bob.id, 'gin', 34]]);
      await expect.poll(() => next.locator('#outbox-sent').textContent()).toBe('Sent from this phone: Saved: Bob +34 (gin).');
      expect(await next.evaluate(() => localStorage.getItem('grl.outbox.v1'))).toBe('[]');
      expect(unexpected(problems)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a hand whose answer was lost on the way back is sent again by the retry timer and stored once ("Already saved")', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page } = await phonePage(b.browser);
    try {
      await page.goto(`${b.url}/hands/new`);
      await keptForOffline(page);
      await page.context().setOffline(true);
      await page.getByRole('radio', { name: 'knock', exact: true }).check();
      await page.getByRole('radio', { name: 'Alice', exact: true }).check();
      await page.getByLabel('Deadwood difference').fill('6');
      await page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => outbox(page).locator('h2').textContent()).toBe('1 hand waiting to send');
      // The first sending reaches the server (and is committed), but its answer never comes
      // back. The next waits until the test has seen the hand still waiting on the phone.
      let lost = 0;
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/hands', async (route) => {
        if (route.request().method() !== 'POST') return route.fallback();
        if (lost > 0) return released.then(() => route.fallback());
        lost += 1;
        await route.fetch({ maxRedirects: 0 });
        await route.abort('connectionreset');
      });
      await page.context().setOffline(false);
      await expect.poll(() => hands().then((h) => h.length), { timeout: 5000 }).toBe(1);
      expect(lost).toBe(1);
      // Still waiting on the phone (it cannot know), sent again by the retry timer (no
      // reload, no online event), and told it is already there.
      expect(await outbox(page).locator('h2').textContent()).toBe('1 hand waiting to send');
      release();
      await expect.poll(() => page.locator('#outbox-sent').textContent(), { timeout: RETRY_MS + 5000 }).toContain('Already saved: Alice +6 (knock). It was sent twice and counts once.');
      expect((await hands()).map((h) => [h.outcome, h.points])).toEqual([['knock', 6]]);
    } finally {
      await page.context().close();
    }
  });

  it('a hand refused when it is sent (the game ended meanwhile) stays on the phone with the reason, until discarded', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const first = await phonePage(b.browser);
    const second = await phonePage(b.browser);
    try {
      const gameUrl = await startGame(first.page, b.url);
      await second.page.goto(gameUrl);
      await keptForOffline(second.page);
      await second.page.context().setOffline(true);
      await fillScorepadHand(second.page, 'knock', 'Bob', '9');
      await second.page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => outbox(second.page).locator('h2').textContent()).toBe('1 hand waiting to send');

      // Meanwhile the first phone wins the game.
      await fillScorepadHand(first.page, 'gin', 'Alice', '80');
      await first.page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => first.page.getByText('Alice wins the game!').isVisible()).toBe(true);
      const before = await hands();

      await second.page.context().setOffline(false);
      await expect.poll(() => outbox(second.page).locator('h2').textContent(), { timeout: 5000 }).toBe('1 hand not saved');
      const reason = outbox(second.page).locator('.outbox-reason');
      expect(await reason.textContent()).toBe('Not saved: This game is over, so the hand was not saved. Undo or correct a hand to reopen it.');
      expect(await outbox(second.page).locator('li').textContent()).toContain('Alice v Bob: knock, Bob won, difference 9');
      expect(await hands()).toEqual(before);
      await second.page.evaluate(() => window.scrollTo(0, 0));
      expect(await atEveryPhoneSize(second.page, 'offline-refused')).toEqual([]);

      // Still there after a reload, and after another try.
      await second.page.reload();
      await expect.poll(() => outbox(second.page).locator('.outbox-reason').textContent()).toContain('This game is over');
      await second.page.getByRole('button', { name: 'Send again' }).click();
      await expect.poll(() => outbox(second.page).locator('h2').textContent(), { timeout: 5000 }).toBe('1 hand not saved');
      expect(await hands()).toEqual(before);

      await second.page.getByRole('button', { name: /^Discard/ }).click();
      await expect.poll(() => outbox(second.page).count()).toBe(0);
      expect(await second.page.evaluate(() => localStorage.getItem('grl.outbox.v1'))).toBe('[]');
      expect(await hands()).toEqual(before);
      expect(unexpected([...first.problems, ...second.problems])).toEqual([]);
    } finally {
      await first.page.context().close();
      await second.page.context().close();
    }
  });
});
