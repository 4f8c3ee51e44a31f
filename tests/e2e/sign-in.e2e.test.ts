import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { createTestApp, TEST_PASSCODE } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { inBothSchemes, phonePage, requireBrowserOrSkip, screenshot, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();
// 40 characters, with letters from outside Latin-1.
const LONG_NAME = 'Zoë Ångström-Øster Łukasz 佐藤 Ñandú Đorđe';

describe.runIf(run)('signing in to a private league on a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db, { LEAGUE_PASSCODE: TEST_PASSCODE, PRIVATE_LEAGUE: 'true' }));

  it('asks the passcode, then who, then can sign every phone out', async () => {
    expect([...LONG_NAME].length).toBe(40);
    await makePlayer(t.db, LONG_NAME);
    await makePlayer(t.db, 'Bob');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/players`);
    await page.waitForURL(/\/sign-in\?next=/);
    expect(await page.content()).not.toContain('Bob');
    expect(await page.getByLabel('Who are you?').count()).toBe(0);
    expect(await inBothSchemes(page, 'sign-in-step-1')).toEqual([]);

    await page.getByLabel('League passcode').fill(TEST_PASSCODE);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByText('Passcode accepted').isVisible()).toBe(true);
    await page.getByLabel('Who are you?').selectOption({ label: LONG_NAME });
    expect(await inBothSchemes(page, 'sign-in-step-2')).toEqual([]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${b.url}/players`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Signed in as ${LONG_NAME}.`);

    await page.locator('footer').getByRole('link', { name: LONG_NAME }).click();
    await page.waitForURL(`${b.url}/sign-in`);
    expect(await inBothSchemes(page, 'sign-in-signed-in')).toEqual([]);
    await page.getByRole('button', { name: 'Sign out on all my phones' }).click();
    await page.waitForURL(/\/sign-in\?next=/);
    expect(await t.db('member_sessions').whereNull('ended_at').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(problems).toEqual([]);
  });

  it('fits a 320 px phone', async () => {
    await makePlayer(t.db, LONG_NAME);
    const context = await b.browser.newContext({ viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${b.url}/sign-in`);
    await page.getByLabel('League passcode').fill(TEST_PASSCODE);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.getByText('Passcode accepted').isVisible()).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'sign-in-step-2-320');
    await context.close();
  });
});

describe.runIf(run)('importing from a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db, { LEAGUE_PASSCODE: TEST_PASSCODE }));

  it('uploads a CSV through the form, its token in the form\'s address', async () => {
    await makePlayer(t.db, 'Alice');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'grl-')), 'hands.csv');
    fs.writeFileSync(file, 'date,player_a,player_b,outcome,winner,deadwood\n2026-09-01,Alice,Bob,gin,Alice,5\n');
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/sign-in?next=/export`);
    await page.getByLabel('League passcode').fill(TEST_PASSCODE);
    await page.getByLabel('Who are you?').selectOption({ label: 'Alice' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${b.url}/export`);
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.getByText('1 hands in the file').isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Import 1 hands?$/ }).click();
    await page.waitForURL(`${b.url}/`);
    expect(await t.db('hands').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(problems).toEqual([]);
  });
});
