import type { Member } from './members.js';
import type { Flash } from './session.js';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { VersionCache } from './versionCache.js';

/** What every feature's routes are built with. */
export interface AppContext {
  config: Config;
  db: Db;
  /** Read-through memo of page data, keyed by the database's league version. */
  cache: VersionCache;
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
    }
  }
}
