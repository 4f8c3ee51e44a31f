import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * For a context that runs axe on page after page: axe-core is put in each new document by
 * the browser (an init script, sent once) instead of being sent over the DevTools protocol
 * and compiled again for every page, a quarter of axe's time in the phone layouts. It only
 * defines `window.axe`; nothing runs until axeViolations asks.
 */
export async function preloadAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: axeSource });
}

/** The axe rules whose answer can change with the colour scheme (the markup does not). */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * Besides the colour rules, the axe rules whose answer can change with the screen's width
 * under the same stylesheet rules: where targets fall beside each other, and which boxes
 * have to scroll.
 */
export const WIDTH_RULES = ['target-size', 'scrollable-region-focusable'];

/**
 * Runs axe-core in the page (through the DevTools protocol, so the page's CSP stays on):
 * every rule, or only `rules` (their ids).
 */
export async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async (rules) => {
    const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } };
    const result = await w.axe.run(document, { resultTypes: ['violations'], ...(rules ? { runOnly: { type: 'rule', values: rules } } : {}) });
    return result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  }, rules);
}
