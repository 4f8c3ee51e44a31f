import express from 'express';
import type { Logger } from 'pino';
import type { AppContext } from '../http/context.js';
import { rawRows, type Db } from '../db.js';
import { leagueFeed, type LeagueFeed } from './feed.js';
import { LiveHub } from './hub.js';

/** The pages that update themselves when the league changes (their regions marked data-live). */
export const LIVE_PAGES = ['/', '/games/:id'];
/** The header live.js sends when it fetches a page again to take its regions. */
export const LIVE_FETCH_HEADER = 'x-live-refresh';

export async function leagueVersionGet({ db }: { db: Db }): Promise<number | null> {
  const [row] = await rawRows<{ version: number }>(db, 'select version from league_version where id = 1');
  const version = Number(row?.version);
  return Number.isSafeInteger(version) ? version : null;
}

/** Last-Event-ID (a reconnecting EventSource) or ?since= (the first connection, from the page). */
function sinceOf(req: express.Request): number | null {
  const raw = req.get('last-event-id') ?? (typeof req.query.since === 'string' ? req.query.since : undefined);
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

const hubs = new WeakMap<express.Express, { hub: LiveHub; feed: LeagueFeed }>();

/**
 * Live pages (issue 16): `GET /events`, the league's version as Server-Sent Events, fed by
 * the database's NOTIFY; the live pages learn the version they were rendered at, so the
 * stream can tell them at once about a change they missed; a page fetched again by live.js
 * leaves the flash messages for the page the user loads next.
 */
export function setUpLive(app: express.Express, { db, config }: AppContext, logger?: Logger): void {
  const feed = leagueFeed(db, logger ? { warn: (d, m) => logger.warn(d, m), info: (d, m) => logger.info(d, m) } : undefined);
  const hub = new LiveHub(feed, config.liveHeartbeatSeconds * 1000);
  hubs.set(app, { hub, feed });
  const router = express.Router();

  router.get('/events', (req, res) => hub.open(res, sinceOf(req), () => leagueVersionGet({ db })));

  router.get(LIVE_PAGES, async (_req, res, next) => {
    try {
      res.locals.liveVersion = await leagueVersionGet({ db });
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
  await live.feed.close();
}
