import express from 'express';
import type { AppContext } from '../http/context.js';
import { leagueVersionGet } from './selectors.js';
import type { LeagueFeed } from './feed.js';
import type { LeagueVersion } from './version.js';
import { LiveHub } from './hub.js';

/** The pages that update themselves when the league changes (their regions marked data-live). */
export const LIVE_PAGES = ['/', '/games/:id'];
/** The header live.js sends when it fetches a page again to take its regions. */
export const LIVE_FETCH_HEADER = 'x-live-refresh';

/** Last-Event-ID (a reconnecting EventSource) or ?since= (the first connection, from the page). */
function sinceOf(req: express.Request): number | null {
  const raw = req.get('last-event-id') ?? (typeof req.query.since === 'string' ? req.query.since : undefined);
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

const hubs = new WeakMap<express.Express, { hub: LiveHub; feed: LeagueFeed; version: LeagueVersion }>();

/**
 * Live pages (issue 16): `GET /events`, the league's version as Server-Sent Events, fed by
 * the database's NOTIFY; the live pages learn the version they were rendered at, so the
 * stream can tell them at once about a change they missed; a page fetched again by live.js
 * leaves the flash messages for the page the user loads next.
 */
export function setUpLive(app: express.Express, { db, config, feed, version, versionOf }: AppContext): void {
  const hub = new LiveHub(feed, config.liveHeartbeatSeconds * 1000);
  hubs.set(app, { hub, feed, version });
  const router = express.Router();

  router.get('/events', (req, res) => hub.open(res, sinceOf(req), () => leagueVersionGet({ db })));

  router.get(LIVE_PAGES, async (_req, res, next) => {
    try {
      res.locals.liveVersion = await versionOf(res);
    } catch {
      // The page itself will say the database is away; it just will not be live.
    }
    next();
  });

  router.use((req, res, next) => {
    if (req.get(LIVE_FETCH_HEADER) && req.session && res.locals.flashes?.length) {
      req.session.flash = res.locals.flashes;
      res.locals.flashes = [];
    }
    next();
  });

  app.use(router);
}

/** Ends the app's event streams and its listening connection (SIGTERM). */
export async function closeLive(app: express.Express): Promise<void> {
  const live = hubs.get(app);
  if (!live) return;
  live.hub.closeAll();
  live.version.close();
  await live.feed.close();
}
