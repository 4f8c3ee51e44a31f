/*
 * Lie-fi at the table (issue 16): a phone that believes it is online (navigator.onLine
 * stays true) while its connection takes requests and never answers, or loses the answer
 * on the way back. The browser reaches the app through a proxy whose connection can go bad
 * (tests/support/liefi.ts). A hand saved then is kept on the phone, "1 hand waiting to
 * send", and sent when the connection answers again: exactly once, rows checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { atEveryPhoneSize, requireBrowserOrSkip, screenshot, useBrowserApp, type PhoneOptions } from '../support/browser.js';
import { LieFiProxy, phoneWithTiming } from '../support/liefi.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

/** How long the phone waits for an answer: short, to keep the tests quick, but ten times a save's time here under load. */
const ANSWER_MS = 2000;
const RETRY_MS = 300;

const hands = () => t.db('hands').whereNull('voided_at').orderBy('id');
const outbox = (page: Page) => page.locator('#outbox');
const outboxEntries = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('grl.outbox.v1') || '[]') as { state: string }[]);
/** Chrome logs the answers a refused form gets and the stream a dropped connection breaks; those are the point here. */
const unexpected = (problems: string[]) => problems.filter((p) => !/status of 422|ERR_EMPTY_RESPONSE|ERR_CONNECTION_(RESET|CLOSED)|net::ERR_INCOMPLETE/.test(p));

/** A phone whose offline script waits ANSWER_MS for an answer and tries again every RETRY_MS. */
const phone = (browser: Browser, options: PhoneOptions = {}) => phoneWithTiming(browser, { answerMs: ANSWER_MS, retryMs: RETRY_MS }, options);

/** Whose box on the scorepad shows "Deals next". */
const dealsNext = (page: Page) =>
  page.locator('.scoreboard .box').evaluateAll((boxes) =>
    boxes.filter((box) => Array.from(box.querySelectorAll<HTMLElement>('.dealer')).some((mark) => !mark.hidden)).map((box) => box.querySelector('p')?.textContent ?? ''),
  );

async function quickHand(page: Page, outcome: string, winner: string, deadwood: string) {
  await page.getByRole('radio', { name: outcome, exact: true }).check();
  await page.getByRole('radio', { name: winner, exact: true }).check();
  await page.getByLabel('Deadwood difference').fill(deadwood);
}

describe.runIf(run)('lie-fi: online, as far as the phone knows, but nothing answers', () => {
  const b = useBrowserApp(() => createTestApp(t.db));
  const proxy = { current: null as LieFiProxy | null };
  const via = () => {
    if (!proxy.current) throw new Error('no proxy');
    return proxy.current;
  };
  beforeAll(async () => {
    proxy.current = new LieFiProxy(Number(new URL(b.url).port));
    await proxy.current.start();
  });
  afterAll(async () => {
    await proxy.current?.stop();
  });

  it('a hand saved on a connection that never answers waits on the phone, and is stored once when it answers again', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { page, problems } = await phone(b.browser);
    const net = via();
    try {
      await page.goto(`${net.url}/hands/new`);
      await quickHand(page, 'knock', 'Alice', '11');
      net.fail('silent');
      await page.getByRole('button', { name: 'Save hand' }).click();
      // Waiting for the answer: the button says so, and nothing is kept yet.
      await expect.poll(() => page.getByRole('button', { name: 'Save hand' }).isDisabled()).toBe(true);
      await expect.poll(() => outbox(page).locator('h2').textContent(), { timeout: ANSWER_MS + 3000 }).toBe('1 hand waiting to send');
      expect(await page.evaluate(() => navigator.onLine)).toBe(true);
      expect(net.sent('POST /hands', 'silent')).toBeGreaterThanOrEqual(1);
      expect(await outbox(page).locator('li').textContent()).toMatch(
        /^Alice v Bob: knock, Alice won, difference 11Sent at \d\d:\d\d, no answer came: it may have arrived\. Sending it again cannot count it twice\.$/,
      );
      await expect.poll(() => outbox(page).locator('.outbox-status').textContent()).toBe('The connection is not answering: trying again every 1\u00a0s.');
      // The form is ready for the next hand, and the hand is not on the server.
      expect(await page.getByLabel('Deadwood difference').inputValue()).toBe('');
      expect(await page.getByRole('button', { name: 'Save hand' }).isEnabled()).toBe(true);
      expect(await hands()).toHaveLength(0);

      await page.evaluate(() => window.scrollTo(0, 0));
      expect(await atEveryPhoneSize(page, 'liefi-record-waiting')).toEqual([]);
      expect(await hands()).toHaveLength(0);

      net.heal();
      await expect.poll(() => hands().then((h) => h.length), { timeout: ANSWER_MS + 3000 }).toBe(1);
      await expect.poll(() => page.locator('#outbox-sent').textContent()).toBe('Sent from this phone: Saved: Alice +11 (knock).');
      await expect.poll(() => outbox(page).count()).toBe(0);
      expect(await outboxEntries(page)).toEqual([]);
      expect((await hands()).map((h) => [h.player_a_id, h.player_b_id, h.winner_id, h.outcome, h.points])).toEqual([[alice.id, bob.id, alice.id, 'knock', 11]]);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      net.heal();
      await page.context().close();
    }
  });

  it('a save that reached the server and was committed, but whose answer never came, is sent again and stored once, and the phone is told so', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phone(b.browser);
    const net = via();
    try {
      await page.goto(`${net.url}/games/new`);
      await page.getByRole('radio', { name: 'North American' }).check();
      await page.getByRole('button', { name: 'Start the game' }).click();
      await page.waitForURL(/\/games\/\d+$/);
      const gameUrl = page.url();
      await expect.poll(() => page.locator('#next-hand-heading').textContent()).toBe('Hand 1 · Alice deals');

      await page.getByRole('radio', { name: 'knock', exact: true }).check();
      await page.getByRole('radio', { name: 'Alice', exact: true }).check();
      await page.getByLabel('Or just the difference').fill('11');
      net.fail('deaf');
      await page.getByRole('button', { name: 'Save hand' }).click();
      // The server has it...
      await expect.poll(() => hands().then((h) => h.length)).toBe(1);
      // ...but the phone cannot know: it keeps the hand, and says it may have arrived.
      await expect.poll(() => outbox(page).locator('h2').textContent(), { timeout: ANSWER_MS + 3000 }).toBe('1 hand waiting to send');
      expect(await outbox(page).locator('li').textContent()).toContain('no answer came: it may have arrived. Sending it again cannot count it twice.');
      // The scorepad counts it for the next hand, and says the totals do not include it.
      expect(await page.locator('#next-hand-heading').textContent()).toBe('Hand 2 · Bob deals');
      expect(await page.locator('#next-hand-counted').textContent()).toBe('Counting 1 hand waiting to send from this phone.');
      expect(await page.locator('#pending-hands').textContent()).toBe('Not in these totals yet: 1 hand waiting to send from this phone.');
      expect(await page.locator('.score-a').textContent()).toBe('0');
      expect(await dealsNext(page)).toEqual(['Bob']);
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'liefi-scorepad-waiting-390');
      // Tries again meanwhile reach the server too, and are answered "already saved" (lost as well).
      await expect.poll(() => net.sent(`POST ${new URL(gameUrl).pathname}/hands`, 'deaf')).toBeGreaterThanOrEqual(2);
      expect(await hands()).toHaveLength(1);

      net.heal();
      await expect
        .poll(() => page.locator('#outbox-sent').textContent(), { timeout: ANSWER_MS + 3000 })
        .toBe('Sent from this phone: Already saved: Alice +11 (knock). It was sent twice and counts once.');
      await expect.poll(() => outbox(page).count()).toBe(0);
      expect((await hands()).map((h) => [h.outcome, h.points, h.hand_number])).toEqual([['knock', 11, 1]]);
      // The page follows the server: the hand is there, counted in the totals now, and the
      // heading is the server's again.
      await expect.poll(() => page.locator('.game-hands > li').count(), { timeout: 5000 }).toBe(1);
      await expect.poll(() => page.locator('.score-a').textContent()).toBe('11');
      expect(await page.locator('#pending-hands').count()).toBe(0);
      expect(await page.locator('#next-hand-counted').count()).toBe(0);
      expect(await page.locator('#next-hand-heading').textContent()).toBe('Hand 2 · Bob deals');
      expect(await dealsNext(page)).toEqual(['Bob']);
      expect(await page.locator('.dealer-counted').count()).toBe(0);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      net.heal();
      await page.context().close();
    }
  });

  it('a double tap on Save during lie-fi keeps one hand and stores one', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phone(b.browser);
    const net = via();
    try {
      await page.goto(`${net.url}/hands/new`);
      await quickHand(page, 'gin', 'Bob', '7');
      net.fail('silent');
      await page.getByRole('button', { name: 'Save hand' }).dblclick();
      await expect.poll(() => outbox(page).locator('h2').textContent(), { timeout: ANSWER_MS + 3000 }).toBe('1 hand waiting to send');
      expect(await outbox(page).locator('li').count()).toBe(1);
      expect(await outboxEntries(page)).toHaveLength(1);

      net.heal();
      await expect.poll(() => page.locator('#outbox-sent').textContent(), { timeout: ANSWER_MS + 3000 }).toBe('Sent from this phone: Saved: Bob +32 (gin).');
      expect((await hands()).map((h) => [h.outcome, h.points])).toEqual([['gin', 32]]);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      net.heal();
      await page.context().close();
    }
  });

  it('a tab closed while its save waits for an answer leaves the hand to the next page, which stores it once', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page } = await phone(b.browser);
    const context = page.context();
    const net = via();
    try {
      await page.goto(`${net.url}/hands/new`);
      await quickHand(page, 'undercut', 'Alice', '4');
      net.fail('silent');
      await page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => outboxEntries(page).then((list) => list.map((e) => e.state))).toEqual(['sending']);
      await page.close(); // before any answer, or the time-out

      net.heal();
      const next = await context.newPage();
      await next.goto(`${net.url}/players`);
      await expect.poll(() => hands().then((h) => h.length), { timeout: 2 * ANSWER_MS + 5000 }).toBe(1);
      // Either way is the truth: Chrome may itself resend the request of a connection that
      // broke with no answer (when the tab was not yet gone), and then this page's resend
      // finds it there.
      await expect
        .poll(() => next.locator('#outbox-sent').textContent())
        .toMatch(/^Sent from this phone: (Saved: Alice \+29 \(undercut\)\.|Already saved: Alice \+29 \(undercut\)\. It was sent twice and counts once\.)$/);
      expect((await hands()).map((h) => [h.outcome, h.points])).toEqual([['undercut', 29]]);
      expect(await outboxEntries(next)).toEqual([]);
    } finally {
      net.heal();
      await context.close();
    }
  });

  it('with a working connection the page follows the server, in one request: a refusal in place with the typing kept, then the save and its message', async () => {
    await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    const { page, problems } = await phone(b.browser);
    const net = via();
    try {
      await page.goto(`${net.url}/hands/new`);
      await page.locator('#field-playerA').selectOption({ label: 'Carol' });
      await quickHand(page, 'knock', 'Carol', '0');
      const posts = net.sent('POST /hands');
      await page.getByRole('button', { name: 'Save hand' }).click();
      await expect.poll(() => page.locator('#field-deadwood-error').textContent()).toContain('Choose Undercut');
      expect(net.sent('POST /hands')).toBe(posts + 1);
      // The server's form, with what was typed and the names in the winner choices.
      expect(await page.getByLabel('Deadwood difference').inputValue()).toBe('0');
      expect(await page.locator('#field-playerA').inputValue()).toBe(String(carol.id));
      expect(await page.locator('#winner-a span, #winner-b span').allTextContents()).toEqual(['Carol', 'Bob']);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('alert');
      expect(await hands()).toHaveLength(0);
      expect(await outbox(page).count()).toBe(0);

      await page.getByRole('radio', { name: 'undercut', exact: true }).check();
      await page.getByRole('radio', { name: 'Bob', exact: true }).check();
      await page.getByRole('button', { name: 'Save hand' }).click();
      await page.waitForURL(`${net.url}/`);
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved: Bob +25 (undercut)');
      expect((await hands()).map((h) => [h.player_a_id, h.winner_id, h.outcome, h.points])).toEqual([[carol.id, bob.id, 'undercut', 25]]);
      expect(await outboxEntries(page)).toEqual([]);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
