/*
 * Trust at the table, as a player at the pub meets it on a 390x844 phone: Back, double
 * taps, resends after an error, no JavaScript, no signal, a game that ends under you, and
 * voiding by mistake. Every case checks the rows in the database.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { phonePage, requireBrowserOrSkip, screenshot, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

const hands = () => t.db('hands').whereNull('voided_at').orderBy('id');
const flash = (page: Page) => page.getByRole('status').first().textContent();
/** The browser logs every 4xx answer as a console error; a refused form is expected here. */
const unexpected = (problems: string[]) => problems.filter((p) => !/status of (409|422)/.test(p));

async function quickHand(page: Page, outcome: string, winner: string, deadwood: string) {
  await page.getByRole('radio', { name: outcome, exact: true }).check();
  await page.getByRole('radio', { name: winner, exact: true }).check();
  await page.getByLabel('Deadwood difference').fill(deadwood);
}

async function startGame(page: Page, url: string) {
  await page.goto(`${url}/games/new`);
  await page.getByRole('radio', { name: 'North American' }).check();
  await page.getByRole('button', { name: 'Start the game' }).click();
  await page.waitForURL(/\/games\/\d+$/);
  return page.url();
}

describe.runIf(run)('trust at the table, on a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  it('Back after saving, then a different hand: both are stored, each told truly', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/hands/new`);
    await quickHand(page, 'knock', 'Alice', '11');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => flash(page)).toContain('Saved: Alice +11 (knock)');

    await page.goBack();
    await page.waitForURL(`${b.url}/hands/new`);
    await quickHand(page, 'gin', 'Bob', '20');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => flash(page)).toContain('Saved: Bob +45 (gin)');
    expect((await hands()).map((h) => [h.winner_id, h.outcome, h.points])).toEqual([
      [alice.id, 'knock', 11],
      [bob.id, 'gin', 45],
    ]);
    expect(problems).toEqual([]);
  });

  it('a double tap on Save stores one hand', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/hands/new`);
    await quickHand(page, 'knock', 'Bob', '9');
    await page.getByRole('button', { name: 'Save hand' }).dblclick();
    await page.waitForURL(`${b.url}/`);
    await expect.poll(async () => (await hands()).length).toBe(1);
    expect((await hands())[0]).toMatchObject({ outcome: 'knock', points: 9 });
    expect(problems).toEqual([]);
  });

  it('a knock of 0 is refused pointing to Undercut; corrected and resent, it is stored once as an undercut', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/hands/new`);
    await quickHand(page, 'knock', 'Alice', '0');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await expect.poll(() => page.locator('#field-deadwood-error').textContent()).toContain('Choose Undercut');
    expect(await page.getByLabel('Deadwood difference').inputValue()).toBe('0');
    expect(await hands()).toHaveLength(0);
    await screenshot(page, 'trust-knock-zero');

    await page.getByRole('radio', { name: 'undercut', exact: true }).check();
    await page.getByRole('radio', { name: 'Bob', exact: true }).check();
    await page.getByRole('button', { name: 'Save hand' }).click();
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => flash(page)).toContain('Saved: Bob +25 (undercut)');
    expect((await hands()).map((h) => [h.player_a_id, h.winner_id, h.outcome, h.points])).toEqual([[alice.id, bob.id, 'undercut', 25]]);
    expect(unexpected(problems)).toEqual([]);
  });

  it('without JavaScript, the winner choices name seats, and the winner is the player chosen in that seat', async () => {
    await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    const { page } = await phonePage(b.browser, { javaScriptEnabled: false });
    await page.goto(`${b.url}/hands/new`);
    await page.locator('#field-playerA').selectOption({ label: 'Carol' });
    const labels = await page.locator('#winner-a span, #winner-b span').allTextContents();
    expect(labels).toEqual(['Player 1', 'Player 2']);
    await page.getByRole('radio', { name: 'knock', exact: true }).check();
    await page.getByRole('radio', { name: 'Player 1', exact: true }).check();
    await page.getByLabel('Deadwood difference').fill('6');
    await screenshot(page, 'trust-no-javascript');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await page.waitForURL(`${b.url}/`);
    expect((await hands()).map((h) => [h.player_a_id, h.player_b_id, h.winner_id])).toEqual([[carol.id, bob.id, carol.id]]);
  });

  it('with JavaScript, the winner choices follow the selects', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    await makePlayer(t.db, 'Carol');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/hands/new`);
    await page.locator('#field-playerA').selectOption({ label: 'Carol' });
    await expect.poll(() => page.locator('#winner-a span, #winner-b span').allTextContents()).toEqual(['Carol', 'Bob']);
    expect(problems).toEqual([]);
  });

  it('offline, Save stores nothing on the server but keeps the hand on the phone; back online, it is stored once', async () => {
    // (Issue 16: before it, an offline Save was lost and the hand had to be typed again.)
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page } = await phonePage(b.browser);
    await page.goto(`${b.url}/hands/new`);
    await quickHand(page, 'gin', 'Alice', '3');
    await page.context().setOffline(true);
    await page.getByRole('button', { name: 'Save hand' }).click();
    await expect.poll(() => page.locator('#outbox-heading').textContent()).toBe('1 hand waiting to send');
    expect(await hands()).toHaveLength(0);
    await page.context().setOffline(false);
    await expect.poll(() => hands().then((h) => h.length), { timeout: 5000 }).toBe(1);
    await page.goto(`${b.url}/hands/new`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await hands()).map((h) => [h.outcome, h.points])).toEqual([['gin', 28]]);
  });

  it("the scorepad takes a gin with only the loser's count, and refuses counts that disagree with the difference", async () => {
    const alice = await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await startGame(page, b.url);
    await page.getByRole('radio', { name: 'knock', exact: true }).check();
    await page.getByRole('radio', { name: 'Alice', exact: true }).check();
    await page.getByLabel("Alice's deadwood").fill('6');
    await page.getByLabel("Bob's deadwood").fill('18');
    await page.getByLabel('Or just the difference').fill('10');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await expect.poll(() => page.locator('#field-deadwood-error').textContent()).toContain('make a difference of 12, not 10');
    expect(await page.locator('#field-deadwoodA-error').textContent()).toContain('Disagrees with the difference');
    expect(await hands()).toHaveLength(0);
    await screenshot(page, 'trust-disagreeing-counts');

    await page.getByRole('radio', { name: 'gin', exact: true }).check();
    await page.getByLabel("Alice's deadwood").fill('');
    await page.getByLabel("Bob's deadwood").fill('14');
    await page.getByLabel('Or just the difference').fill('');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await expect.poll(() => flash(page)).toContain('Saved: Alice +39 (gin)');
    expect((await hands()).map((h) => [h.winner_id, h.outcome, h.deadwood_b, h.points])).toEqual([[alice.id, 'gin', 14, 39]]);
    expect(unexpected(problems)).toEqual([]);
  });

  it('a hand sent from a second phone after the game ended says so, with the result and a link', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const first = await phonePage(b.browser);
    const gameUrl = await startGame(first.page, b.url);
    const second = await phonePage(b.browser);
    await second.page.goto(gameUrl);
    // The second phone is filling in a hand (so the live page keeps its form) when the first wins.
    await second.page.getByRole('radio', { name: 'Bob', exact: true }).check();

    await first.page.getByRole('radio', { name: 'gin', exact: true }).check();
    await first.page.getByRole('radio', { name: 'Alice', exact: true }).check();
    await first.page.getByLabel('Or just the difference').fill('80');
    await first.page.getByRole('button', { name: 'Save hand' }).click();
    await expect.poll(() => first.page.getByText('Alice wins the game!').isVisible()).toBe(true);
    const before = await hands();

    await second.page.getByRole('radio', { name: 'knock', exact: true }).check();
    await second.page.getByRole('radio', { name: 'Bob', exact: true }).check();
    await second.page.getByLabel('Or just the difference').fill('9');
    await second.page.getByRole('button', { name: 'Save hand' }).click();
    const notice = second.page.getByRole('alert');
    await expect.poll(() => notice.textContent()).toContain('This game is over, so the hand was not saved.');
    expect(await notice.textContent()).toContain('Alice won, 335 to 0.');
    await notice.getByRole('link', { name: 'See the result' }).click();
    await expect.poll(() => second.page.url()).toMatch(/#final-heading$/);
    await screenshot(second.page, 'trust-game-over');
    expect(await hands()).toEqual(before);
    expect(unexpected([...first.problems, ...second.problems])).toEqual([]);
  });

  it('Void is one tap, and the Undo in its message brings the hand back, with JavaScript and without', async () => {
    for (const javaScriptEnabled of [true, false]) {
      await t.testDb.reset();
      await makePlayer(t.db, 'Alice');
      await makePlayer(t.db, 'Bob');
      const { page } = await phonePage(b.browser, { javaScriptEnabled });
      await page.goto(`${b.url}/hands/new`);
      await quickHand(page, 'knock', javaScriptEnabled ? 'Alice' : 'Player 1', '11');
      await page.getByRole('button', { name: 'Save hand' }).click();
      await page.waitForURL(`${b.url}/`);
      const [hand] = await hands();
      await page.getByRole('button', { name: /^Void this hand/ }).click();
      await expect.poll(() => flash(page)).toContain('Hand voided: it no longer counts.');
      expect(await hands()).toHaveLength(0);
      if (javaScriptEnabled) await screenshot(page, 'trust-void-undo');
      await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
      await expect.poll(() => flash(page)).toContain('Hand restored: it counts again.');
      expect((await hands()).map((h) => h.id)).toEqual([hand?.id]);
    }
  });

  it('at 320 px in dark mode, with a 40-character name and a pasted odd name, the forms fit and save the right players', async () => {
    const long = await makePlayer(t.db, 'Bartholomew-Fitzgerald-Montgomery-Smythe'); // 40 characters
    const odd = await makePlayer(t.db, 'Zoë Ñúñez 李');
    const { page, problems } = await phonePage(b.browser, { colorScheme: 'dark', viewport: { width: 320, height: 568 } });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.goto(`${b.url}/hands/new`);
    await page.locator('#field-playerA').selectOption({ label: long.name });
    await page.locator('#field-playerB').selectOption({ label: odd.name });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await quickHand(page, 'gin', odd.name, '7');
    await screenshot(page, 'trust-hand-form-320-dark');
    await page.getByRole('button', { name: 'Save hand' }).click();
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => flash(page)).toContain(`Saved: ${odd.name} +32 (gin)`);
    expect((await hands()).map((h) => [h.player_a_id, h.player_b_id, h.winner_id, h.points])).toEqual([[long.id, odd.id, odd.id, 32]]);

    await page.goto(`${b.url}/games/new`);
    await page.locator('#field-playerA').selectOption({ label: long.name });
    await page.locator('#field-playerB').selectOption({ label: odd.name });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('radio', { name: 'North American' }).check();
    await page.getByRole('button', { name: 'Start the game' }).click();
    await page.waitForURL(/\/games\/\d+$/);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'trust-scorepad-320-dark');
    expect(problems).toEqual([]);
  });
});
