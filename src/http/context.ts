import type { Config } from '../config.js';
import type { Db } from '../db.js';

/** What every feature's routes are built with. */
export interface AppContext {
  config: Config;
  db: Db;
}
