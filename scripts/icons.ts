/*
 * Renders static/icons/icon.svg to the PNG sizes phones ask for (run once after changing
 * the SVG: `npx tsx scripts/icons.ts`). The PNGs are committed; the build fingerprints them.
 */
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const svg = fs.readFileSync('static/icons/icon.svg', 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
for (const [size, name, padding] of [
  [192, 'icon-192.png', 0],
  [512, 'icon-512.png', 0],
  [180, 'apple-touch-icon.png', 0],
  // Maskable: the launcher may crop to a circle, so the artwork keeps to the middle 80%.
  [512, 'icon-maskable-512.png', 0.1],
] as const) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  const inner = Math.round(size * (1 - 2 * padding));
  await page.setContent(
    `<html><body style="margin:0;background:#216b4a;display:grid;place-items:center;width:${size}px;height:${size}px">` +
      `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
  );
  await page.screenshot({ path: `static/icons/${name}`, omitBackground: false });
  await page.close();
}
await browser.close();
console.log('Wrote the PNG icons to static/icons/');
