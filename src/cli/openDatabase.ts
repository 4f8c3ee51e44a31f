import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDb, type Db, type DbLog } from '../db.js';
import { DataDirInUseError } from '../dataDirLock.js';

/**
 * For the entry points (server, migrate, seed): the database, or, when the embedded data
 * folder is already open in another process, that process named and the exit.
 */
export async function openDatabase(database: Config['database'], log?: DbLog): Promise<Db> {
  try {
    return await openDb(database, log);
  } catch (err) {
    if (!(err instanceof DataDirInUseError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/** For the entry points: the configuration, or every bad variable named and the exit. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
