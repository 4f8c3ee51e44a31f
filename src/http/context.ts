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
