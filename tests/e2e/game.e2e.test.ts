import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { phonePage, requireBrowserOrSkip, screenshot, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

describe.runIf(run)('a whole game on a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  async function hand(page: Page, outcome: string, winner: string, counts: [string, string]) {
    await page.getByRole('radio', { name: outcome, exact: true }).check();
    await page.getByRole('radio', { name: winner, exact: true }).check();
    await page.getByLabel("Alice's deadwood").fill(counts[0]);
    await page.getByLabel("Bob's deadwood").fill(counts[1]);
    await page.getByRole('button', { name: 'Save hand' }).click();
    await page.waitForLoadState('load');
  }

  it('plays North American rules to 100 and shows the final breakdown', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(b.url);
    await page.getByRole('link', { name: 'Game', exact: true }).click();
    await page.getByRole('radio', { name: 'North American' }).check();
    await page.getByRole('button', { name: 'Start the game' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Alice v Bob');

    await hand(page, 'knock', 'Alice', ['6', '40']); // Alice 34
    await expect.poll(() => page.locator('.score-a').textContent()).toBe('34');
    await hand(page, 'gin', 'Bob', ['22', '0']); // Bob 47
    await expect.poll(() => page.locator('.score-b').textContent()).toBe('47');
    await hand(page, 'knock', 'Alice', ['8', '8']); // undercut: Bob 25
    await expect.poll(() => page.locator('.score-b').textContent()).toBe('72');
    await hand(page, 'big gin', 'Bob', ['30', '0']); // Bob 61 -> 133

    await expect.poll(() => page.locator('#final-heading').textContent()).toMatch(/^Bob wins, by \d+$/);
    // Bob: 133 + 100 game + 3 boxes x 25 = 308; Alice: 34 + 25 = 59.
    expect(await page.locator('.final-b').textContent()).toBe('308');
    expect(await page.locator('.final-a').textContent()).toBe('59');
    expect(await page.locator('.game-hands li').count()).toBe(4);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'game-final-breakdown');
    expect(problems).toEqual([]);
  });
});
