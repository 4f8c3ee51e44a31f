import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Express } from 'express';
import { afterAll, beforeAll } from 'vitest';
import { axeViolations, COLOUR_RULES } from './axe.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM_PATH);
export const RESULTS_DIR = path.resolve('test-results');

/*
 * Without a browser the browser tests are skipped with a notice, except under CI=true,
 * where a missing browser must fail the run rather than pass it quietly. BROWSER_TESTS=off
 * skips them on purpose (Heroku CI, whose dynos have no Chromium).
 */
export function requireBrowserOrSkip(): boolean {
  if (process.env.BROWSER_TESTS === 'off') {
    console.warn('\n*** Browser tests SKIPPED: BROWSER_TESTS=off. ***\n');
    return false;
  }
  if (browserAvailable) return true;
  if (process.env.CI === 'true') {
    throw new Error(`CI=true but no Chromium at ${CHROMIUM_PATH}; install Debian's chromium or set CHROMIUM_PATH.`);
  }
  console.warn(`\n*** Browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install chromium). ***\n`);
  return false;
}

/*
 * Chromium 14x's headless mode gives every new context (every phone of a test) a browser
 * window whose address bar's popup is a web page of its own: a renderer process that
 * starts, lays out and paints a WebUI nobody sees, half a second of CPU a phone, more than
 * the app's page costs. Turned off here. Chromium obeys only the last --disable-features,
 * and Playwright passes its own list (features that make tests reliable), so ours repeats
 * Playwright's, read from its source; if that ever fails, the flag is left out (slower, same
 * behaviour).
 */
const UNSEEN_WEBUI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

function disableFeaturesArg(): string[] {
  try {
    const bundle = fs.readFileSync(createRequire(import.meta.url).resolve('playwright-core/lib/coreBundle'), 'utf8');
    const list = /\bdisabledFeatures = \[([^\]]*)\]/.exec(bundle)?.[1];
    const playwrights = [...(list ?? '').matchAll(/^\s*"([A-Za-z0-9]+)",?\s*$/gm)].map((m) => m[1]);
    if (playwrights.length) return [`--disable-features=${[...playwrights, ...UNSEEN_WEBUI].join(',')}`];
  } catch {
    // Playwright's files moved: fall through.
  }
  console.warn("tests/support/browser.ts: Playwright's --disable-features not found; Chromium's omnibox WebUI stays on (slower tests).");
  return [];
}

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', ...disableFeaturesArg()];

/*
 * One Chromium per test worker, shared by the files the worker runs one after another
 * (Vitest's isolate: false keeps this module between them): launching and closing it cost
 * half a second and 0.4 s of CPU, fourteen times a run. Every phone is still a browser
 * context of its own (its own cookies, storage, cache and service worker), and a file's
 * phones are closed when the file ends (releaseBrowser). A browser that crashed or was
 * closed is replaced. Vitest ends a worker with SIGTERM, on which Playwright closes the
 * browser (runs here leave no Chromium process or profile folder behind).
 */
let shared: Promise<Browser> | undefined;

export async function launchBrowser(): Promise<Browser> {
  const current = await shared?.catch(() => undefined);
  if (current?.isConnected()) return current;
  shared = chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS });
  return shared;
}

/**
 * A file is done with the worker's browser: the phones it left open are closed, the browser
 * kept. A phone that does not close within 10 s (one stuck mid-navigation) takes the
 * browser with it, and the next file gets a new one.
 */
export async function releaseBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 10_000)));
  const closed = Promise.all(browser.contexts().map((context) => context.close())).then(
    () => 'closed' as const,
    () => 'stuck' as const,
  );
  const outcome = await Promise.race([closed, stuck]);
  clearTimeout(timer);
  if (outcome === 'stuck') {
    shared = undefined;
    await browser.close().catch(() => {});
  }
}

export async function listen(app: Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

/** A phone-sized page that records every console error and CSP violation it sees. */
export interface PhoneOptions {
  colorScheme?: 'light' | 'dark';
  /** 390x844 unless given, e.g. 320x568 for the smallest phones. */
  viewport?: { width: number; height: number };
  javaScriptEnabled?: boolean;
}

export async function phonePage(browser: Browser, options: PhoneOptions = {}) {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 390, height: 844 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  // Fail a step quickly and by name rather than at the test's timeout.
  page.setDefaultTimeout(5000);
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.jpg`);
  // At CSS pixels: a quarter of the pixels to encode at the phones' device scale of 2, as
  // readable. JPEG: half the time of PNG for a long page, and text stays legible at 85.
  await page.screenshot({ path: file, fullPage: true, scale: 'css', type: 'jpeg', quality: 85 });
  return file;
}

/** Bulma's colour transitions (after a change of colour scheme) have finished: a screenshot shows the new colours. */
async function transitionsDone(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'));
}

/**
 * The page in `colorScheme`, its colour transitions finished. They run a hundred times
 * faster while it switches (0.3 s each otherwise, for every page of the phone layouts),
 * then at their own pace again for whatever the test does next.
 */
export async function showColorScheme(page: Page, colorScheme: 'light' | 'dark'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Animation.enable');
    await cdp.send('Animation.setPlaybackRate', { playbackRate: 100 });
    await page.emulateMedia({ colorScheme });
    await transitionsDone(page);
  } finally {
    await cdp.send('Animation.setPlaybackRate', { playbackRate: 1 }).catch(() => {});
    await cdp.detach().catch(() => {});
  }
}

/**
 * The page as it is now, light and then dark (a flow is walked once; the scheme changes
 * only the stylesheet's colours): what is wider than the screen, and with `axe`, axe's
 * violations (every rule in light, the colour rules in dark), found in each. A screenshot
 * of each as `${name}-${scheme}`. Leaves the page light.
 */
export async function inBothSchemes(page: Page, name: string, { axe = false } = {}): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await showColorScheme(page, colorScheme);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) found.push(`${colorScheme}: wider than the screen by ${overflow}px`);
    if (axe) found.push(...(await axeViolations(page, colorScheme === 'dark' ? COLOUR_RULES : undefined)).map((v) => `${colorScheme}: ${v}`));
    await screenshot(page, `${name}-${colorScheme}`);
  }
  await showColorScheme(page, 'light');
  return found;
}

/**
 * `inBothSchemes` on both phones the league owns (390x844 and 320x568): what is wider than
 * the screen in each of the four, and screenshots as `${name}-${width}-${scheme}`. Leaves
 * the page at 390 px, light.
 */
export async function atEveryPhoneSize(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const [width, height] of [
    [390, 844],
    [320, 568],
  ] as const) {
    await page.setViewportSize({ width, height });
    found.push(...(await inBothSchemes(page, `${name}-${width}`)).map((problem) => `${width} px, ${problem}`));
  }
  await page.setViewportSize({ width: 390, height: 844 });
  return found;
}

/** A browser and the app listening on a port, for one test file; closed afterwards. */
export function useBrowserApp(makeApp: () => Express): { readonly browser: Browser; readonly url: string } {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let url = '';
  beforeAll(async () => {
    browser = await launchBrowser();
    ({ server, url } = await listen(makeApp()));
  });
  afterAll(async () => {
    await releaseBrowser(browser);
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  return {
    get browser() {
      if (!browser) throw new Error('browser not started');
      return browser;
    },
    get url() {
      return url;
    },
  };
}
