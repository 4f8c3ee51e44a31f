import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import type { Config } from './config.js';
import { migrationSource } from '../migrations/index.js';

export type Db = Knex;

/*
 * The one place where the two drivers are made to agree. `pg` returns int8 (count(), sum()
 * of integers) and numeric as strings; PGlite returns int8 as numbers and numeric as strings.
 * Both now give numbers for both: our values are far below 2^53.
 */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string) => Number(value);

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return toNumber;
    return pg.types.getTypeParser(oid, format);
  },
};

/** Where Knex's own warnings go (it writes to the console otherwise): the app's logger. */
export interface DbLog {
  warn(message: unknown): void;
  error(message: unknown): void;
}

type PostgresDatabase = Extract<Config['database'], { kind: 'postgres' }>;

/** The configured database: PostgreSQL, or embedded PGlite (whose engine is loaded only then). */
export async function openDb(database: Config['database'], log?: DbLog): Promise<Db> {
  if (database.kind === 'postgres') return createDb(database, log);
  return createPgliteDb(path.resolve(database.dataDir));
}

export function createDb(database: PostgresDatabase, log?: DbLog): Db {
  const knexLog = log
    ? { warn: (m: unknown) => log.warn(m), error: (m: unknown) => log.error(m), deprecate: (m: unknown) => log.warn(m), debug: () => {} }
    : undefined;
  return knexFactory({
    ...(knexLog ? { log: knexLog } : {}),
    client: 'pg',
    connection: {
      connectionString: database.url,
      ssl: database.ssl ? { rejectUnauthorized: false } : false,
      types: pgTypes,
      statement_timeout: database.statementTimeoutMs,
      connectionTimeoutMillis: 5000,
      application_name: 'gin-rummy-leaderboard',
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: database.poolMax },
    acquireConnectionTimeout: 5000,
    migrations: { migrationSource },
  });
}

/*
 * PGlite's engine (a WASM build of PostgreSQL, half a megabyte of JavaScript before its data)
 * is loaded only when the embedded database is used, so a process on PostgreSQL never pays
 * for it. Both modules come through `require`: knex-pglite is CommonJS and requires PGlite's
 * CommonJS build, and ours must be that same copy (an `import` would load its ES build too).
 */
const requireLazily = createRequire(import.meta.url);

/*
 * Smaller than PostgreSQL's defaults, which size for a server of its own: one connection,
 * a league's few megabytes of data. shared_buffers is the bulk of PGlite's resident memory.
 * The other lever is V8's: compiling PGlite's WebAssembly with TurboFan takes about 550 MB
 * for a moment, which the process keeps; `node --liftoff-only` (the Procfile, the
 * Dockerfile, `npm start`) keeps the baseline compiler's code, and the process near 155 MB.
 */
const PGLITE_SETTINGS = ['shared_buffers=16MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'wal_buffers=1MB'];

/** initdb for a new data folder, in a child process (src/cli/initEmbedded.ts). */
function initialiseInChild(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  const here = fileURLToPath(import.meta.url);
  const script = path.join(path.dirname(here), 'cli', `initEmbedded${path.extname(here)}`);
  // Under tsx or vitest this module is TypeScript, and so is the script. --liftoff-only:
  // see PGLITE_SETTINGS.
  const args = path.extname(here) === '.ts' ? ['--liftoff-only', '--import', 'tsx', script, dataDir] : ['--liftoff-only', script, dataDir];
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`Could not create the embedded database in ${dataDir} (exit ${result.status ?? result.signal})`);
}

/** A Knex handle over a new PGlite instance: a folder on disk, or memory when none is given. */
export async function createPgliteDb(dataDir?: string, { initInChild = true } = {}): Promise<Db> {
  if (dataDir) {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.accessSync(dataDir, fs.constants.W_OK);
    } catch (err) {
      throw new Error(`DATA_DIR ${dataDir} is not a folder this user (uid ${process.getuid?.()}) can write: ${(err as Error).message}`, { cause: err });
    }
    if (initInChild) initialiseInChild(dataDir);
  }
  const { PGlite: PGliteClass } = requireLazily('@electric-sql/pglite') as { PGlite: typeof PGlite };
  const ClientPGLite = requireLazily('knex-pglite') as typeof Knex.Client;
  // (Options go in the one argument: PGlite ignores them after an undefined dataDir.)
  const options: PGliteOptions = { dataDir, parsers: { [NUMERIC]: toNumber }, postgresqlconf: PGLITE_SETTINGS };
  const pglite = new PGliteClass(options);
  return knexFactory({
    client: ClientPGLite,
    dialect: 'postgres',
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
    migrations: { migrationSource },
  });
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Answers whether the database replies within `timeoutMs`; never throws. */
export async function dbPing(db: Db, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = db.raw('select 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Postgres error codes we turn into domain errors. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

export function pgErrorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
