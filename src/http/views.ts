import type express from 'express';
import nunjucks from 'nunjucks';
import { VIEWS_DIR } from '../core/paths.js';
import { OUTCOME_LABELS, type Outcome } from '../scoring/rules.js';
import { assetUrl, type AssetManifest } from './assets.js';

/** The colour of the browser's bar on a phone: the page's and the web app manifest's. */
export const THEME_COLOR = '#216b4a';

export interface ViewSettings {
  assets: AssetManifest;
  leagueName: string;
  timeZone: string;
  watch: boolean;
  /** Show the "open league" banner (not in production, where it was chosen on purpose). */
  showOpenBanner: boolean;
  /** Fail on a template printing an undefined or null value (in tests), instead of printing nothing. */
  strict?: boolean;
}

export function setUpViews(app: express.Express, settings: ViewSettings): nunjucks.Environment {
  const env = nunjucks.configure(VIEWS_DIR, {
    autoescape: true,
    express: app,
    noCache: settings.watch,
    throwOnUndefined: settings.strict ?? false,
  });
  app.set('view engine', 'njk');

  const dateTime = new Intl.DateTimeFormat('en-GB', {
    timeZone: settings.timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const monthName = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });

  env.addGlobal('asset', (name: string) => assetUrl(settings.assets, name));
  env.addGlobal('leagueName', settings.leagueName);
  env.addGlobal('timeZone', settings.timeZone);
  env.addGlobal('showOpenBanner', settings.showOpenBanner);
  env.addGlobal('themeColor', THEME_COLOR);
  env.addFilter('datetime', (d: Date) => dateTime.format(d));
  env.addFilter('isodate', (d: Date) => d.toISOString());
  env.addFilter('outcome', (o: Outcome) => OUTCOME_LABELS[o] ?? o);
  // "2026-11" -> "November 2026"
  env.addFilter('monthName', (key: string) => monthName.format(new Date(`${key}-01T00:00:00Z`)));
  return env;
}
