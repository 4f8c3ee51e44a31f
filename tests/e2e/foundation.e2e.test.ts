import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { phonePage, requireBrowserOrSkip, screenshot, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

describe.runIf(run)('on a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  it('adds two players, records a gin and sees the leaderboard update', async () => {
    const { page, problems } = await phonePage(b.browser);
    await page.goto(b.url);
    await page.getByRole('link', { name: 'Add players' }).click();

    for (const name of ['Alice', 'Bob']) {
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByRole('button', { name: 'Add player' }).click();
      await expect.poll(() => page.getByText(`Added ${name}.`).isVisible()).toBe(true);
    }

    await page.getByRole('link', { name: 'Record', exact: true }).click();
    await page.getByRole('radio', { name: 'gin', exact: true }).click();
    await page.getByRole('radio', { name: 'Alice' }).click();
    await page.getByLabel('Deadwood difference').fill('2');
    await page.getByRole('button', { name: 'Save hand' }).click();

    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Alice +27 (gin)');
    const aliceRow = page.locator('table.standings tr', { hasText: 'Alice' });
    await expect.poll(() => aliceRow.locator('td').allTextContents()).toEqual(['1', '1', '1', '100%', '27', '52']);

    // Nothing wider than the phone: no sideways scrolling of the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    const file = await screenshot(page, 'leaderboard-phone');
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });

  it('hides the winner and deadwood for a draw, without any script', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/hands/new`);
    await expect.poll(() => page.getByLabel('Deadwood difference').isVisible()).toBe(true);
    await page.getByRole('radio', { name: 'draw' }).click();
    await expect.poll(() => page.getByLabel('Deadwood difference').isVisible()).toBe(false);
    expect(problems).toEqual([]);
  });
});
