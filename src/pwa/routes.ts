import express from 'express';
import type { AppContext } from '../http/context.js';
import { assetUrl, type AssetManifest } from '../http/assets.js';
import { THEME_COLOR } from '../http/views.js';


/** The web app manifest: "Add to Home Screen" opens the league full screen, with its icon. */
export function manifestFor(leagueName: string, assets: AssetManifest) {
  return {
    name: leagueName,
    short_name: leagueName.length > 12 ? 'Gin Rummy' : leagueName,
    description: `Scores and standings of ${leagueName}.`,
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: THEME_COLOR,
    icons: [
      { src: assetUrl(assets, 'icons/icon.svg'), sizes: 'any', type: 'image/svg+xml' },
      { src: assetUrl(assets, 'icons/icon-192.png'), sizes: '192x192', type: 'image/png' },
      { src: assetUrl(assets, 'icons/icon-512.png'), sizes: '512x512', type: 'image/png' },
      { src: assetUrl(assets, 'icons/icon-maskable-512.png'), sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}

export function pwaRoutes({ config }: AppContext, assets: AssetManifest): express.Router {
  const router = express.Router();
  const body = JSON.stringify(manifestFor(config.league.name, assets));
  router.get('/manifest.webmanifest', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').type('application/manifest+json').send(body);
  });
  return router;
}
