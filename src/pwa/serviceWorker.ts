import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { PUBLIC_DIR } from '../core/paths.js';
import { assetUrl, type AssetManifest } from '../http/assets.js';

/** The assets a phone keeps for the pages to open with no connection (issue 16). */
const PRECACHED = /^(app\.css|js\/[^/]+\.js|icons\/icon\.svg)$/;

/**
 * The service worker's script, at /sw.js so that its scope is the whole site: the source
 * (static/sw/service-worker.js, built with the other assets) behind the fingerprinted
 * names of the assets it keeps. A new build gives a new script, which the browser installs
 * in place of the old one; it is revalidated on every visit (no-cache).
 */
export function serviceWorkerScript(assets: AssetManifest): string {
  const sourceFile = assets['sw/service-worker.js'];
  if (!sourceFile) throw new Error('No sw/service-worker.js in the asset manifest: run "npm run build" first');
  const source = fs.readFileSync(path.join(PUBLIC_DIR, 'static', sourceFile), 'utf8');
  const precache = Object.keys(assets)
    .filter((name) => PRECACHED.test(name))
    .sort()
    .map((name) => assetUrl(assets, name));
  const version = crypto.createHash('sha256').update(JSON.stringify(precache)).digest('hex').slice(0, 10);
  return [
    `const PRECACHE = ${JSON.stringify(precache)};`,
    `const APP_CSS = ${JSON.stringify(assetUrl(assets, 'app.css'))};`,
    `const CACHE_VERSION = ${JSON.stringify(version)};`,
    source,
  ].join('\n');
}

export function serviceWorkerRoutes(assets: AssetManifest): express.Router {
  const router = express.Router();
  let script: string | undefined;
  router.get('/sw.js', (_req, res) => {
    script ??= serviceWorkerScript(assets);
    res.set('Cache-Control', 'no-cache').type('text/javascript').send(script);
  });
  return router;
}
