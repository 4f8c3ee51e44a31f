import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { phonePage, requireBrowserOrSkip, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

describe.runIf(run)('recording a hand at the pub', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  async function usualPair() {
    await makePlayer(t.db, 'Carol');
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 3 });
  }

  it('takes at most 5 taps from the home page to a saved gin, with the usual pair preselected', async () => {
    await usualPair();
    const { page, problems } = await phonePage(b.browser);
    await page.goto(b.url);
    let taps = 0;
    const tap = async (action: () => Promise<void>) => {
      taps++;
      await action();
    };
    await tap(() => page.getByRole('link', { name: 'Record a hand' }).click());
    await tap(() => page.getByRole('radio', { name: 'gin', exact: true }).click());
    await tap(() => page.getByRole('radio', { name: 'Alice' }).click());
    await tap(() => page.getByLabel('Deadwood difference').fill('14'));
    await tap(() => page.getByRole('button', { name: 'Save hand' }).click());
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Alice +39 (gin)');
    expect(taps).toBeLessThanOrEqual(5);
    expect(await t.db('hands').where({ outcome: 'gin' })).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  /** 'none' unless the focused element shows its focus, by an outline or Bulma's focus ring. */
  const focusOutline = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return 'none';
      // A radio's visible focus is drawn on its label's box.
      const shown = el.matches('input[type=radio]') ? (el.nextElementSibling as Element) : el;
      const style = getComputedStyle(shown);
      if (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') return `outline ${style.outlineStyle}`;
      if (style.boxShadow !== 'none') return 'ring';
      return 'none';
    });

  it('works by keyboard alone, with a visible focus', async () => {
    await usualPair();
    const { page, problems } = await phonePage(b.browser);
    await page.goto(b.url);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    expect(await focusOutline(page)).not.toBe('none');

    // Tab to "Record a hand" and follow it.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Record a hand') break;
    }
    expect(await focusOutline(page)).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${b.url}/hands/new`);

    // Through the form: the selects keep the usual pair; arrows choose within a group.
    const focusName = () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name ?? '');
    for (let i = 0; i < 20 && (await focusName()) !== 'outcome'; i++) await page.keyboard.press('Tab');
    expect(await focusOutline(page)).not.toBe('none');
    await page.keyboard.press('ArrowRight'); // knock -> gin
    for (let i = 0; i < 10 && (await focusName()) !== 'winner'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // the first: Alice
    for (let i = 0; i < 10 && (await focusName()) !== 'deadwood'; i++) await page.keyboard.press('Tab');
    await page.keyboard.type('6');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Alice +31 (gin)');
    expect(problems).toEqual([]);
  });
});
