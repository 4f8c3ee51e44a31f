import type { Member } from './members.js';
import type { Flash } from './session.js';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type express from 'express';
import type { VersionCache } from './versionCache.js';
import type { PageCache } from './pageCache.js';
import type { LeagueVersion } from '../live/version.js';
import type { LeagueFeed } from '../live/feed.js';

/** What every feature's routes are built with. */
export interface AppContext {
  config: Config;
  db: Db;
  /** Read-through memo of page data, keyed by the database's league version. */
  cache: VersionCache;
  /** Whole rendered pages by version and variant: route middleware (`pages.serve`). */
  pages: Pick<PageCache, 'serve'>;
  /** The league's version, from the live feed or the database. */
  version: LeagueVersion;
  feed: LeagueFeed;
  /** The version this request sees: read once per request; fresh from the database when it carries a flash. */
  versionOf: (res: express.Response) => Promise<number | null>;
}

/* What the middleware leaves in `res.locals` for routes and templates, declared once. */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own way to type res.locals
  namespace Express {
    interface Locals {
      /** The signed-in member (members.ts), or null. */
      member: Member | null;
      /** An open league lets anyone write. */
      openLeague: boolean;
      canWrite: boolean;
      /** Set by session.ts for the layout. */
      flashes: Flash[];
      csrfToken: () => string;
      path: string;
      /** The request's league version, once asked (see AppContext.versionOf). */
      leagueVersion?: Promise<number | null>;
      /** When a cached render of this page stops being right by the clock alone (ms since the epoch). */
      pageExpiresAt?: number;
    }
  }
}
