import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { seedDemo } from '../../src/cli/seedDemo.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';
import { inBothSchemes, phonePage, requireBrowserOrSkip, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();

describe.runIf(run)('the stories on a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  it('shows a player page and a head-to-head page, light and dark', async () => {
    await seedDemo({ db: t.db, rules: NORTH_AMERICAN });
    const [alice, bob] = await t.db('players').orderBy('id');
    const { page, problems } = await phonePage(b.browser);

    await page.goto(`${b.url}/players/${alice!.id}`);
    await expect.poll(() => page.locator('svg.chart').count()).toBe(2);
    expect(await page.locator('svg.chart polyline').first().getAttribute('points')).toMatch(/^\d+(\.\d)?,\d+/);
    expect(await inBothSchemes(page, 'player-page')).toEqual([]);

    await page.getByRole('link', { name: 'v Bob' }).click();
    await page.waitForURL(`${b.url}/head-to-head/${alice!.id}/${bob!.id}`);
    await expect.poll(() => page.locator('svg.chart').count()).toBe(1);
    expect(await inBothSchemes(page, 'head-to-head')).toEqual([]);
    expect(problems).toEqual([]);
  });
});
