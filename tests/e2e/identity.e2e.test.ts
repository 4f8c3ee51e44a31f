import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { inBothSchemes, phonePage, requireBrowserOrSkip, useBrowserApp } from '../support/browser.js';

const t = useTestDb();
const run = requireBrowserOrSkip();
const LONG = 'Maximilian-Alexander Wolfeschlegelsteinh'; // 40 characters
const ODD = 'Zoë 李雷 محمد';

describe.runIf(run)('players, merges and imports on a phone', () => {
  const b = useBrowserApp(() => createTestApp(t.db));

  it('marks a look-alike, merges it after a confirmation, and offers to undo', async () => {
    expect(LONG).toHaveLength(40);
    const long = await makePlayer(t.db, LONG);
    const odd = await makePlayer(t.db, ODD);
    const bob = await makePlayer(t.db, 'Bob');
    const [dupe] = await t.db('players').insert({ name: 'Ｂｏｂ', name_key: null }).returning('id');
    await makeHand(t.db, { playerAId: long.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 3 });
    await makeHand(t.db, { playerAId: odd.id, playerBId: dupe!.id, outcome: 'knock', winner: 'b', deadwood: 7 });
    const { page, problems } = await phonePage(b.browser);

    await page.goto(`${b.url}/players`);
    await expect.poll(() => page.locator('.look-alike').count()).toBe(1);
    expect(await page.locator('.look-alike').innerText()).toContain('This name looks the same as Bob.');
    // The field no longer cuts a long name: the server answers it.
    await page.locator('#new-player-name').fill('x'.repeat(45));
    await page.getByRole('button', { name: 'Add player' }).click();
    await expect.poll(() => page.locator('#new-player-name-error').innerText()).toContain('at most 40 characters; this one has 45');
    expect(await inBothSchemes(page, 'players-look-alike', { axe: true })).toEqual([]);
    await page.setViewportSize({ width: 320, height: 568 });
    expect(await inBothSchemes(page, 'players-look-alike-320')).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });

    await page.goto(`${b.url}/players/${dupe!.id}`);
    await page.getByRole('link', { name: 'Merge Ｂｏｂ into…' }).click();
    await page.locator('#field-into').selectOption(String(bob.id));
    await page.getByRole('button', { name: 'Merge Ｂｏｂ' }).click();
    await expect.poll(() => page.locator('#field-confirm-error').innerText()).toContain('Tick the box');
    expect(await inBothSchemes(page, 'merge-confirm', { axe: true })).toEqual([]);
    await page.getByLabel('Ｂｏｂ and the player chosen are the same person.').check();
    await page.getByRole('button', { name: 'Merge Ｂｏｂ' }).click();
    await page.waitForURL(`${b.url}/players/${bob.id}`);
    await expect.poll(() => page.locator('.notification', { hasText: 'Merged:' }).innerText()).toContain('Merged: 1 hand and 0 games moved.');

    await page.goto(`${b.url}/activity`);
    await expect.poll(() => page.getByRole('button', { name: 'Undo this merge' }).count()).toBe(1);
    expect(await inBothSchemes(page, 'activity-undo-merge', { axe: true })).toEqual([]);
    // The two refusals above are 422 answers, which Chromium logs; nothing else may be.
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    expect(problems).toHaveLength(2);
    await page.context().close();
  });

  it('previews an import with repeated rows and asks what they are', async () => {
    await makePlayer(t.db, 'Bob');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'grl-')), 'hands.csv');
    fs.writeFileSync(
      file,
      `date,player_a,player_b,outcome,winner,deadwood\r\n2026-09-01 20:00,${LONG},ＢＯＢ,gin,${LONG},5\r\n2026-09-01 20:00,ＢＯＢ,${LONG},gin,${LONG},5\r\n2026-09-02,${ODD},Bob,knock,Bob,3\r\n\r\n`,
    );
    const { page, problems } = await phonePage(b.browser);
    await page.goto(`${b.url}/export`);
    await page.locator('#csv-file').setInputFiles(file);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect.poll(() => page.locator('.import-summary').innerText()).toContain('1 repeating an earlier line');
    expect(await page.locator('.import-status').innerText()).toBe('same as line 2');
    expect(await inBothSchemes(page, 'import-preview-repeats', { axe: true })).toEqual([]);
    await page.getByLabel('The same hand: import it once').check();
    await page.getByRole('button', { name: 'Import the new hands' }).click();
    await page.waitForURL(`${b.url}/`);
    await expect.poll(() => page.locator('.notification', { hasText: 'Imported' }).innerText()).toContain('Imported 2 hands (1 repeated rows skipped)');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
