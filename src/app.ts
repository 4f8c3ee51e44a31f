import path from 'node:path';
import zlib from 'node:zlib';
import express from 'express';
import compression from 'compression';
import expressStaticGzip from 'express-static-gzip';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { withWriteLog, type Db } from './db.js';
import { ASSETS_URL, loadManifest, type AssetManifest } from './http/assets.js';
import { PUBLIC_DIR } from './core/paths.js';
import { errorHandler, notFound } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { createLogger, requestLogger } from './http/logging.js';
import { redirectToHttps, securityHeaders } from './http/security.js';
import { csrfProtection, pageLocals, sessions } from './http/session.js';
import { memberAccess } from './http/members.js';
import { authRoutes } from './auth/routes.js';
import { activityRoutes } from './activity/routes.js';
import { setUpViews } from './http/views.js';
import { VersionCache } from './http/versionCache.js';
import { PageCache } from './http/pageCache.js';
import { leagueFeed } from './live/feed.js';
import { LeagueVersion } from './live/version.js';
import { gameRoutes } from './games/routes.js';
import { handRoutes } from './hands/routes.js';
import { leaderboardRoutes } from './leaderboard/routes.js';
import { playerRoutes } from './players/routes.js';
import { statsRoutes } from './stats/routes.js';
import { pwaRoutes } from './pwa/routes.js';
import { setUpLive } from './live/routes.js';
import { serviceWorkerRoutes } from './pwa/serviceWorker.js';
import { LARGE_BODY_PATHS, transferRoutes } from './transfer/routes.js';

/*
 * Ordinary forms are small. The import routes take larger bodies (a file, or the CSV sent
 * back to be committed); they parse them themselves, after the session, CSRF and member
 * checks, so a stranger's upload is refused before it is read.
 */
const smallForms = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });
function formBodies(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (req.method === 'POST' && LARGE_BODY_PATHS.has(req.path)) return next();
  smallForms(req, res, next);
}

/** Each app's page cache and league version, for tests. */
export const pageCaches = new WeakMap<express.Express, PageCache>();
export const leagueVersions = new WeakMap<express.Express, LeagueVersion>();

const passOn: express.RequestHandler = (_req, _res, next) => next();

export interface AppDeps {
  config: Config;
  db: Db;
  logger?: Logger;
  assets?: AssetManifest;
  /** false: every page rendered from the database on every request (the reference the page cache is tested against). */
  cachePages?: boolean;
  /** How long a member's session is remembered at most (src/auth/selectors.ts); tests lengthen it. */
  sessionMemoryMs?: number;
}

export function createApp({ config, db, logger = createLogger(config.logLevel), assets = loadManifest(), cachePages = true, sessionMemoryMs }: AppDeps) {
  const app = express();
  const production = config.env === 'production';
  const feed = leagueFeed(db, { warn: (d, m) => logger.warn(d, m), info: (d, m) => logger.info(d, m) });
  const version = new LeagueVersion(db, feed);
  // A request that carries a flash follows a write of its own: it reads the version afresh.
  const versionOf = (res: express.Response) =>
    (res.locals.leagueVersion ??= Promise.resolve(!cachePages || res.locals.flashes?.length ? version.fresh() : version.current()));
  const pages = new PageCache({ versionOf });
  const context = cachePages
    ? { config, db, cache: new VersionCache(versionOf), pages, version, feed, versionOf }
    : { config, db, cache: new VersionCache(() => Promise.resolve(null)), pages: { serve: passOn }, version, feed, versionOf };

  pageCaches.set(app, pages);
  leagueVersions.set(app, version);

  // TRUST_PROXY: in production, Heroku's router (or Fly's proxy) is the one hop in front of
  // us; elsewhere nobody is, and X-Forwarded-* would be whatever the client made up.
  app.set('trust proxy', config.http.trustProxy || false);
  app.set('x-powered-by', false);
  setUpViews(app, {
    assets,
    leagueName: config.league.name,
    timeZone: config.league.timeZone,
    watch: config.env === 'development',
    showOpenBanner: !production,
    strict: config.env === 'test',
  });

  app.use(requestLogger(logger));
  // Each request keeps a log of what it committed, so an error page can tell the truth.
  app.use((_req, _res, next) => withWriteLog(next));
  // While a request that may write runs, and until a read settles it after, the league's
  // version is asked of the database (the live feed's notice may not have arrived yet).
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.once('close', version.writeStarted());
    next();
  });
  if (production) app.use(redirectToHttps(config.http));
  app.use(securityHeaders({ production }));
  // Pages are a few KB: a 64 KB brotli window is plenty, and keeps each concurrent
  // response's encoder small (the default window is 4 MB).
  app.use(compression({ brotli: { params: { [zlib.constants.BROTLI_PARAM_LGWIN]: 16, [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } } }));
  // Fingerprinted files, precompressed at build time (brotli, gzip), cached for a year.
  app.use(
    ASSETS_URL,
    expressStaticGzip(path.join(PUBLIC_DIR, 'static'), {
      enableBrotli: true,
      orderPreference: ['br', 'gz'],
      index: false,
      serveStatic: { immutable: true, maxAge: '365d', index: false },
    }),
  );
  app.use(healthRoutes(context));
  app.use(pwaRoutes(context, assets));
  app.use(serviceWorkerRoutes(assets));
  app.use((_req, res, next) => {
    // Pages show live scores: always revalidate (the ETag keeps that cheap).
    res.set('Cache-Control', 'no-cache');
    next();
  });
  app.use(formBodies);
  app.use(sessions({ secretKey: config.secretKey, secure: production }));
  app.use(csrfProtection);
  app.use(pageLocals);
  app.use(memberAccess({ config, db, generation: cachePages ? () => version.membersGeneration() : () => null, rememberMs: sessionMemoryMs }));
  setUpLive(app, context);

  app.use(authRoutes(context));
  app.use(activityRoutes(context));
  app.use(leaderboardRoutes(context));
  app.use(handRoutes(context));
  app.use(gameRoutes(context));
  app.use(playerRoutes(context));
  app.use(statsRoutes(context));
  app.use(transferRoutes(context));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
