/*
 * Every page of a crowded league on the two phones the league owns (320x568 and 390x844),
 * light and dark: no page wider than the screen, every tap target big enough (44x44 CSS px,
 * or WCAG 2.2's 2.5.8 with its 24 px spacing circle), no axe violation. Screenshots of each
 * page go to test-results/phone-layout/.
 *
 * Each page is loaded once and seen four ways: 390 light, 390 dark, 320 dark, 320 light
 * (resizing and switching the scheme are cheaper than loading it again). The pages are split
 * in two groups, one test file each (tests/e2e/phone-layout-*.e2e.test.ts), so that the
 * slowest browser work of the suite runs on both workers side by side.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTestDb, type TestDb } from './db.js';
import { createTestApp } from './app.js';
import { makeHand, makePlayer } from './factories.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';
import { axeViolations, COLOUR_RULES, preloadAxe, WIDTH_RULES } from './axe.js';
import { launchBrowser, listen, releaseBrowser, phonePage, requireBrowserOrSkip, RESULTS_DIR, screenshot, showColorScheme } from './browser.js';

/** 40 characters and no space: the longest name the form accepts, and the hardest to fit. */
export const LONG_NAMES = ['Wolfeschlegelsteinhausenbergerdorffvoral', 'Llanfairpwllgwyngyllgogerychwyrndrobwlll', 'Zoë🂡Ñandú_Øresund_Łódź_Ελένη_Ирина_李小龍_'];

/** 30 players; lower-case and odd ones too, to catch a page that re-cases them. */
const NAMES = [...LONG_NAMES, 'alice', 'Bob', 'Ωmega', 'Ñoño', 'O’Brien-Smythe', 'van der Berg', ...Array.from({ length: 24 }, (_, i) => `Player ${i + 7}`)];

export const PHONES = {
  320: { width: 320, height: 568 },
  390: { width: 390, height: 844 },
} as const;

/**
 * Runs in the page: is the document wider than the screen? Bulma hides the root's sideways
 * overflow (html { overflow-x: hidden }), which only clips what sticks out: measured here
 * with that turned off, and the elements that stick out are named.
 */
function widerThanScreen(): string[] {
  const root = document.documentElement;
  const width = root.clientWidth;
  const before = [root.style.overflowX, document.body.style.overflowX];
  root.style.overflowX = 'visible';
  document.body.style.overflowX = 'visible';
  const problems: string[] = [];
  const overflow = root.scrollWidth - window.innerWidth;
  if (overflow > 0) problems.push(`wider than the phone by ${overflow}px`);
  // Content that spills out of its box, or off either edge, and is not inside a box that
  // scrolls (or clips) sideways within the screen.
  const contained = (el: Element) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.display.startsWith('inline') && !style.display.includes('block')) continue;
    if (el.matches('.skip-link, .is-sr-only, input, select, textarea, option') || el.closest('svg, .is-sr-only, details:not([open]) > :not(summary)')) continue;
    // A box that scrolls sideways hides part of itself: allowed only for the table boxes,
    // which show a shadow where there is more (a navbar cut to "Playe" is not).
    if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 && !el.matches('.table-container') && problems.length < 6) {
      problems.push(`${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').trim().replace(/\s+/g, '.')} hides ${el.scrollWidth - el.clientWidth}px of "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 25)}" sideways`);
    }
    const r = el.getBoundingClientRect();
    const off = r.left < -0.5 || r.right > width + 0.5;
    const spill = style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
    if ((off || spill) && !contained(el) && problems.length < 6) {
      problems.push(`${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').trim().replace(/\s+/g, '.')} "${(el.textContent ?? '').trim().slice(0, 25)}" ${off ? `spans ${Math.round(r.left)}..${Math.round(r.right)}` : `spills ${el.scrollWidth - el.clientWidth}px out of its box`}`);
    }
  }
  [root.style.overflowX, document.body.style.overflowX] = before as [string, string];
  return problems;
}

/** Runs in the page: every visible tap target that breaks the size rule, described. */
function undersizedTargets(): string[] {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const targets = Array.from(document.querySelectorAll<HTMLElement>(selector))
    .filter((el) => el.checkVisibility({ visibilityProperty: true }))
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    // Off-screen until focused (the skip link), or inside a scrolled-away strip: not a target now.
    .filter(({ r }) => r.width > 0 && r.height > 0 && r.right > 0 && r.left < document.documentElement.clientWidth);
  const describe = (el: HTMLElement, r: DOMRect, why: string) =>
    `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}: ${why}`;
  // WCAG 2.5.8's inline exception: a link inside a sentence is sized by the line it sits in.
  const inSentence = (el: HTMLElement) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const own = (el.textContent ?? '').trim().length;
    const around = (block?.textContent ?? '').replace(/\s+/g, ' ').trim().length;
    return around - own >= 12;
  };
  const primary = (el: HTMLElement) => el.matches('button, .button, input[type="submit"], .navbar-item, .tabs a, summary');
  const BIG = 44 - 0.5; // sub-pixel rounding
  const RADIUS = 12; // the 24 px circle
  const small = targets.filter(({ el, r }) => !(r.width >= BIG && r.height >= BIG) && !inSentence(el));
  const problems: string[] = [];
  const centre = (r: DOMRect) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
  const distToRect = (p: { x: number; y: number }, r: DOMRect) => Math.hypot(Math.max(r.left - p.x, 0, p.x - r.right), Math.max(r.top - p.y, 0, p.y - r.bottom));
  for (const { el, r } of small) {
    if (primary(el) && r.height < BIG) {
      problems.push(describe(el, r, 'a primary action under 44 px tall'));
      continue;
    }
    if (r.width < 24 - 0.5 || r.height < 24 - 0.5) {
      problems.push(describe(el, r, 'under 24x24'));
      continue;
    }
    const c = centre(r);
    const crowded = targets.find(({ el: other, r: o }) => {
      if (other === el || other.contains(el) || el.contains(other) || other.closest('label') === el.closest('label') && el.closest('label')) return false;
      if (distToRect(c, o) < RADIUS - 0.5) return true;
      const isSmall = small.some((s) => s.el === other);
      return isSmall && Math.hypot(c.x - centre(o).x, c.y - centre(o).y) < 2 * RADIUS - 0.5;
    });
    if (crowded) problems.push(describe(el, r, `its 24 px circle touches ${describe(crowded.el, crowded.r, 'neighbour')}`));
  }
  return problems;
}

/** The pages of each test file: about the same work in each. */
export const PAGE_GROUPS = {
  league: ['home', 'home-rating', 'home-month', 'players', 'player-long-name', 'player-one-day', 'player-idle', 'head-to-head'],
  games: ['unfinished-games', 'record-hand', 'new-game', 'game-oklahoma', 'game-playing', 'game-finished', 'correct-hand', 'records', 'activity', 'export', 'sign-in', 'not-found'],
} as const;

/** The four ways a page is seen, in the order they are reached from one load. */
const VIEWS = [
  { phone: PHONES[390], scheme: 'light' },
  { phone: PHONES[390], scheme: 'dark' },
  { phone: PHONES[320], scheme: 'dark' },
  { phone: PHONES[320], scheme: 'light' },
] as const;
type ViewKey = `${number} ${'light' | 'dark'}`;

/** The suite for one group of pages: each on both phones, light and dark. */
export function phoneLayoutSuite(group: keyof typeof PAGE_GROUPS): void {
  describe.runIf(requireBrowserOrSkip())(`the ${group} pages on 390 and 320 px phones, with a crowded league`, () => {
    let testDb: TestDb;
    let browser: Browser;
    let server: Server;
    let url: string;
    const pages: { name: string; path: string }[] = [];

    beforeAll(async () => {
      testDb = await createTestDb();
      const db = testDb.db;
      const players = [];
      for (const name of NAMES) players.push(await makePlayer(db, name));
      const [long, long2, uni, alice, bob] = players as [(typeof players)[0], (typeof players)[0], (typeof players)[0], (typeof players)[0], (typeof players)[0]];
      const day = 24 * 60 * 60 * 1000;
      // Hands over two months among many pairs, so every table has rows and every player stats.
      for (let i = 0; i < 40; i++) {
        const a = players[i % players.length]!;
        const b = players[(i * 7 + 3) % players.length]!;
        if (a.id === b.id) continue;
        await makeHand(db, { playerAId: a.id, playerBId: b.id, outcome: i % 5 === 0 ? 'gin' : 'knock', winner: i % 3 ? 'a' : 'b', deadwood: (i * 13) % 40, playedAt: new Date(Date.now() - (40 - i) * day) });
      }
      await makeHand(db, { playerAId: long.id, playerBId: long2.id, outcome: 'big_gin', winner: 'a', deadwood: 120, playedAt: new Date(Date.now() - 2 * day) });
      // A player whose hands all fall on one day: a chart of one point.
      const oneDay = await makePlayer(db, 'One-day Wonder');
      await makeHand(db, { playerAId: oneDay.id, playerBId: alice.id, outcome: 'gin', winner: 'a', deadwood: 12 });
      const idle = await makePlayer(db, 'Never Played');

      // 30 unfinished games, a few of them untouched for weeks, one finished, one voided.
      const gameIds: number[] = [];
      for (let i = 0; i < 30; i++) {
        const a = players[i % players.length]!;
        const b = players[(i + 1) % players.length]!;
        const { id } = await gameStart({ db, playerAId: a.id, playerBId: b.id, firstDealer: 'a', preset: i % 3 === 0 ? 'oklahoma' : 'north_american', idempotencyKey: crypto.randomUUID() });
        gameIds.push(id);
      }
      await db('games').whereIn('id', gameIds.slice(0, 5)).update({ created_at: new Date(Date.now() - 30 * day) });
      const oklahoma = gameIds[0]!; // no hands: the rules can still be changed
      const playing = gameIds[1]!;
      await gameHandRecord({ db, gameId: playing, entry: { outcome: 'knock', winner: 'a', difference: 12 }, idempotencyKey: crypto.randomUUID() });
      const { handId } = await gameHandRecord({ db, gameId: playing, entry: { outcome: 'gin', winner: 'b', difference: 7, upcard: { rank: '7', suit: 'S' } }, idempotencyKey: crypto.randomUUID() });
      const { id: finished } = await gameStart({ db, playerAId: long.id, playerBId: uni.id, firstDealer: 'b', preset: 'pagat', idempotencyKey: crypto.randomUUID() });
      await gameHandRecord({ db, gameId: finished, entry: { outcome: 'knock', winner: 'a', difference: 120 }, idempotencyKey: crypto.randomUUID() });
      const month = new Date(Date.now() - 2 * day).toISOString().slice(0, 7);

      pages.push(
        { name: 'home', path: '/' },
        { name: 'home-rating', path: '/?order=rating' },
        { name: 'home-month', path: `/?month=${month}` },
        { name: 'unfinished-games', path: '/games' },
        { name: 'record-hand', path: '/hands/new' },
        { name: 'new-game', path: '/games/new' },
        { name: 'game-oklahoma', path: `/games/${oklahoma}` },
        { name: 'game-playing', path: `/games/${playing}` },
        { name: 'game-finished', path: `/games/${finished}` },
        { name: 'correct-hand', path: `/games/${playing}/hands/${handId}/edit` },
        { name: 'players', path: '/players' },
        { name: 'player-long-name', path: `/players/${long.id}` },
        { name: 'player-one-day', path: `/players/${oneDay.id}` },
        { name: 'player-idle', path: `/players/${idle.id}` },
        { name: 'head-to-head', path: `/head-to-head/${long.id}/${long2.id}` },
        { name: 'records', path: '/records' },
        { name: 'activity', path: '/activity' },
        { name: 'export', path: '/export' },
        { name: 'sign-in', path: '/sign-in' },
        { name: 'not-found', path: '/no-such-page' },
      );
      browser = await launchBrowser();
      ({ server, url } = await listen(createTestApp(db)));
      void bob;
    }, 180_000);

    afterAll(async () => {
      await releaseBrowser(browser);
      await new Promise((resolve) => server?.close(resolve));
      await testDb?.destroy();
    });

    it('fit 390x844 and 320x568, light and dark: no sideways scroll, big targets, no axe violation', async () => {
      const { page, problems } = await phonePage(browser, { viewport: PHONES[390] });
      await preloadAxe(page.context());
      // Full-page screenshots of long pages take a while on a busy machine.
      page.setDefaultTimeout(30_000);
      const found: Record<ViewKey, string[]> = Object.fromEntries(VIEWS.map((v) => [`${v.phone.width} ${v.scheme}`, []]));
      // Both phones fall under the same rules of the stylesheet (Bulma's "mobile"), so the
      // width moves things without changing the markup's meaning: axe's rules that read the
      // markup run at 390 px, and at 320 px only those whose answer depends on where things
      // fall. Checked, not assumed: if a media query ever tells the two apart, every rule
      // runs at 320 px too.
      let sameRulesAtBothWidths: boolean | undefined;
      const ours = pages.filter(({ name }) => (PAGE_GROUPS[group] as readonly string[]).includes(name));
      expect(ours.map((p) => p.name).sort()).toEqual([...PAGE_GROUPS[group]].sort());
      for (const { name, path } of ours) {
        await page.setViewportSize(PHONES[390]);
        await page.emulateMedia({ colorScheme: 'light' });
        await page.goto(url + path);
        let shown: { width: number; scheme: 'light' | 'dark' } = { width: 390, scheme: 'light' };
        for (const { phone, scheme } of VIEWS) {
          const key: ViewKey = `${phone.width} ${scheme}`;
          if (phone.width !== shown.width) {
            const atWide = sameRulesAtBothWidths === undefined ? await page.evaluate(mediaRulesThatHold) : [];
            await page.setViewportSize(phone);
            sameRulesAtBothWidths ??= JSON.stringify(await page.evaluate(mediaRulesThatHold)) === JSON.stringify(atWide);
          }
          if (scheme !== shown.scheme) await showColorScheme(page, scheme);
          shown = { width: phone.width, scheme };
          const axeRules = scheme === 'dark' ? COLOUR_RULES : phone.width === 390 || !sameRulesAtBothWidths ? undefined : [...COLOUR_RULES, ...WIDTH_RULES];
          (found[key] ??= []).push(...(await pageProblems(page, axeRules)).map((p) => `${path}: ${p}`));
          await screenshot(page, `phone-layout/${phone.width}-${scheme}-${name}`);
          if (name === 'home') {
            // The open-league banner follows the scheme: dark at night, not a bright yellow strip.
            const rgb = (await page.locator('.open-banner').evaluate((el) => getComputedStyle(el).backgroundColor)).match(/\d+/g)!.map(Number);
            const light = (Math.max(...rgb.slice(0, 3)) + Math.min(...rgb.slice(0, 3))) / 2 / 255;
            if ((scheme === 'dark') !== light < 0.5) (found[key] ??= []).push(`/: the open-league banner is ${scheme === 'dark' ? 'bright' : 'dark'} in ${scheme} mode (${rgb.join(',')})`);
          }
        }
      }
      await page.context().close();
      for (const [key, list] of Object.entries(found)) fs.writeFileSync(`${RESULTS_DIR}/phone-layout/problems-${group}-${key.replace(' ', '-')}.txt`, list.join('\n'));
      expect(found).toEqual(Object.fromEntries(VIEWS.map((v) => [`${v.phone.width} ${v.scheme}`, []])));
      expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    }, 300_000);
  });
}

/** Runs in the page: elements that re-case a player's name (one rule: as the player typed it). */
function recasedNames(names: string[]): string[] {
  return Array.from(document.body.querySelectorAll<HTMLElement>('*'))
    .filter((el) => getComputedStyle(el).textTransform !== 'none' && names.some((n) => el.textContent?.includes(n)))
    .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}" is shown with text-transform: ${getComputedStyle(el).textTransform}`)
    .slice(0, 3);
}

/** Runs in the page: the conditions of the stylesheets' media rules that hold now. */
function mediaRulesThatHold(): string[] {
  const holding: string[] = [];
  const walk = (rules: CSSRuleList) => {
    for (const rule of Array.from(rules)) {
      if (rule instanceof CSSMediaRule && matchMedia(rule.conditionText).matches) holding.push(rule.conditionText);
      if ('cssRules' in rule && (rule.cssRules as CSSRuleList).length) walk(rule.cssRules as CSSRuleList);
    }
  };
  for (const sheet of Array.from(document.styleSheets)) walk(sheet.cssRules);
  return holding;
}

async function pageProblems(page: Page, axeRules?: string[]): Promise<string[]> {
  const found: string[] = [];
  found.push(...(await page.evaluate(recasedNames, NAMES)));
  found.push(...(await page.evaluate(widerThanScreen)));
  found.push(...(await page.evaluate(undersizedTargets)));
  found.push(...(await axeViolations(page, axeRules)));
  return found;
}
