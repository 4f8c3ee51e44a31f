import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { z } from 'zod';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import type { Config } from './config.js';
import { migrationSource } from '../migrations/index.js';
import { CommitUnknownError, errorCode, errorField, errorMessage, RolledBackError } from './core/errors.js';
import { lockDataDir } from './dataDirLock.js';

export type Db = Knex;

/**
 * The rows of a raw query, typed by the caller: the one place where `knex.raw`'s `any`
 * meets our types (pg and PGlite both answer `{ rows }`). The type is the query's promise
 * about its columns, as a selector's SQL makes it; the drivers' parsers above make
 * numbers numbers.
 */
export async function rawRows<T>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[] | Knex.ValueDict = []): Promise<T[]> {
  const result = await db.raw<{ rows: T[] }>(sql, bindings);
  return result.rows;
}

/** The one row of an aggregate (`select count(*) ...` always answers one). */
export async function rawRow<T>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[] | Knex.ValueDict = []): Promise<T> {
  const [row] = await rawRows<T>(db, sql, bindings);
  if (row === undefined) throw new Error(`Expected a row from: ${sql.trim().slice(0, 80)}`);
  return row;
}

/*
 * The one place where the two drivers are made to agree. `pg` returns int8 (count(), sum()
 * of integers) and numeric as strings; PGlite returns int8 as numbers and numeric as strings.
 * Both now give numbers for both: our values are far below 2^53.
 */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string) => Number(value);

const pgTypes = {
  getTypeParser(oid: number, format?: string): unknown {
    if (oid === INT8 || oid === NUMERIC) return toNumber;
    return pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text');
  },
} satisfies Knex.PgCustomTypesConfig & pg.CustomTypesConfig;

/** Where Knex's own warnings go (it writes to the console otherwise): the app's logger. */
export interface DbLog {
  warn(message: unknown): void;
  error(message: unknown): void;
}

type PostgresDatabase = Extract<Config['database'], { kind: 'postgres' }>;

/** The configured database: PostgreSQL, or embedded PGlite (whose engine is loaded only then). */
export async function openDb(database: Config['database'], log?: DbLog): Promise<Db> {
  if (database.kind === 'postgres') return createDb(database, log);
  const dataDir = path.resolve(database.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir); // refuses at once if another process has the folder open
  let db: Db;
  try {
    db = await createPgliteDb(dataDir);
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = db.destroy.bind(db);
  // Closing the database frees the folder. (Knex defines destroy as a read-only property.)
  Object.defineProperty(db, 'destroy', {
    configurable: true,
    value: async () => {
      try {
        await close();
      } finally {
        lock.release();
      }
    },
  });
  return db;
}

export function createDb(database: PostgresDatabase, log?: DbLog): Db {
  const knexLog = log
    ? { warn: (m: unknown) => log.warn(m), error: (m: unknown) => log.error(m), deprecate: (m: unknown) => log.warn(m), debug: () => {} }
    : undefined;
  const connection = {
    connectionString: database.url,
    ssl: database.ssl ? { rejectUnauthorized: false } : false,
    types: pgTypes,
    statement_timeout: database.statementTimeoutMs,
    connectionTimeoutMillis: 5000,
    application_name: 'gin-rummy-leaderboard',
  } satisfies Knex.PgConnectionConfig & pg.ClientConfig;
  const db = knexFactory({
    ...(knexLog ? { log: knexLog } : {}),
    client: 'pg',
    connection,
    pool: { min: 0, max: database.poolMax },
    acquireConnectionTimeout: 5000,
    migrations: { migrationSource },
  });
  connections.set(db, connection);
  return db;
}

/** The pg connection settings under a handle from createDb (Knex keeps them, typed `any`). */
const connections = new WeakMap<Db, pg.ClientConfig>();

/** The settings a handle over PostgreSQL connects with (for a connection of one's own: the live feed); undefined over PGlite. */
export const pgConnectionIf = (db: Db): pg.ClientConfig | undefined => connections.get(db);

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

/**
 * A Knex handle over a new PGlite instance: a folder on disk, or memory when none is given;
 * in memory it may start from a dump (`loadDataDir`: the tests' migrated template).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that a folder it cannot use is a rejected promise, like any failure to open
export async function createPgliteDb(dataDir?: string, { initInChild = true, loadDataDir }: { initInChild?: boolean; loadDataDir?: Blob } = {}): Promise<Db> {
  if (dataDir) {
    try {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.accessSync(dataDir, fs.constants.W_OK);
    } catch (err) {
      throw new Error(`DATA_DIR ${dataDir} is not a folder this user (uid ${process.getuid?.()}) can write: ${errorMessage(err)}`, { cause: err });
    }
    if (initInChild) initialiseInChild(dataDir);
  }
  // require() answers `any`: these are the two modules' documented exports.
  const { PGlite: PGliteClass } = requireLazily('@electric-sql/pglite') as { PGlite: typeof PGlite };
  const ClientPGLite = requireLazily('knex-pglite') as typeof Knex.Client;
  // (Options go in the one argument: PGlite ignores them after an undefined dataDir.)
  const options: PGliteOptions = { dataDir, parsers: { [NUMERIC]: toNumber }, postgresqlconf: PGLITE_SETTINGS, ...(loadDataDir ? { loadDataDir } : {}) };
  const pglite = new PGliteClass(options);
  const db = knexFactory({
    client: ClientPGLite,
    dialect: 'postgres',
    // knex-pglite's connection is the engine itself, a shape Knex's types do not list.
    connection: { pglite } as unknown as Knex.StaticConnectionConfig,
    migrations: { migrationSource },
  });
  engines.set(db, pglite);
  return db;
}

const engines = new WeakMap<Db, PGlite>();

/** The PGlite engine under a Knex handle from createPgliteDb (for a dump, or to close it under the app in a test). */
/** The PGlite engine under a handle, or undefined for a handle over PostgreSQL. */
export const pgliteIf = (db: Db): PGlite | undefined => engines.get(db);

export function pgliteOf(db: Db): PGlite {
  const engine = engines.get(db);
  if (!engine) throw new Error('Not a handle made by createPgliteDb');
  return engine;
}

export async function migrateLatest(db: Db): Promise<string[]> {
  // Knex types the answer `any`: [batch number, names of the migrations it ran].
  const [, applied] = z.tuple([z.number(), z.array(z.string())]).parse(await db.migrate.latest());
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

export const pgErrorCode = errorCode;

/*
 * Database outages, told apart from bugs. A connection failure anywhere — before the
 * query (refused, no host, pool exhausted, server starting or shutting down), in the
 * middle of it, or inside a transaction ("ROLLBACK - Client has encountered a connection
 * error and is not queryable") — is a 503, never a 500. PGlite's equivalents are an
 * instance that is closed or whose WebAssembly aborted.
 *
 * What the page may promise about a write depends on where it broke:
 * - the statement never reached a server, or the transaction was being rolled back:
 *   nothing was saved;
 * - the connection broke while a statement ran (it may have been the COMMIT): unknown.
 */

/** Codes meaning the connection was never made, or the server refused the work. */
const NOT_REACHED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
]);
/** Codes meaning a connection broke while in use. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08007', // transaction_resolution_unknown
]);
const NOT_REACHED_MESSAGES =
  /Timeout acquiring a connection|connect ECONNREFUSED|not queryable|^ROLLBACK\b|PGlite is clos(ed|ing)|PGlite failed to initialize/i;
const BROKEN_MESSAGES = /Connection terminated|terminating connection|Connection ended unexpectedly|read ECONNRESET|write EPIPE|RuntimeError: Aborted/i;

export interface DatabaseOutage {
  /** 'no': nothing was written. 'unknown': the connection broke while a statement ran. */
  saved: 'no' | 'unknown';
}

/** The error and what it wraps (Error.cause, AggregateError, driver errors kept by Knex). */
function* chain(err: unknown, depth = 0): Generator<{ code?: unknown; message?: unknown; name?: unknown }> {
  if (typeof err !== 'object' || err === null || depth > 5) return;
  const field = (key: string) => errorField(err, key);
  yield { code: field('code'), message: field('message'), name: field('name') };
  for (const inner of [field('cause'), field('originalError'), field('nativeError')]) yield* chain(inner, depth + 1);
  const errors = field('errors');
  if (Array.isArray(errors)) for (const inner of errors) yield* chain(inner, depth + 1);
}

/** Whether an error means "the database is not there right now", and what that did to a write. */
export function databaseOutage(err: unknown): DatabaseOutage | null {
  // writeTransaction knows where it broke: before its commit, or during it.
  if (err instanceof RolledBackError) return { saved: 'no' };
  if (err instanceof CommitUnknownError) return { saved: 'unknown' };
  let broken = false;
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (NOT_REACHED_CODES.has(code) || e.name === 'KnexTimeoutError' || NOT_REACHED_MESSAGES.test(message)) return { saved: 'no' };
    if (BROKEN_CODES.has(code) || BROKEN_MESSAGES.test(message)) broken = true;
  }
  return broken ? { saved: 'unknown' } : null;
}

/** True for errors that mean "the database is not there right now", not "this query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  return databaseOutage(err) !== null;
}

/** What one request has written, so that an error afterwards can tell the truth about it. */
export interface WriteLog {
  committed: number;
}
const writeLogs = new AsyncLocalStorage<WriteLog>();

/** Runs `fn` (the rest of a request) with its own write log. */
export const withWriteLog = <T>(fn: () => T): T => writeLogs.run({ committed: 0 }, fn);
export const currentWriteLog = (): WriteLog | undefined => writeLogs.getStore();

/** The event a write that Knex's query events do not show as one emits on its handle (src/live/version.ts listens). */
export const WRITE_EVENT = 'grl:write';
/**
 * Tells whoever watches this handle's writes that one is going out, or has just ended,
 * where the SQL does not say so (a select of a function that writes): the page cache then
 * reads the league's version from the database until the commit's notice arrives.
 */
export const noteWrite = (db: Db): void => void db.emit(WRITE_EVENT);

/**
 * A write in one transaction. It notes each commit in the request's write log, and tells a
 * lost connection before the commit (RolledBackError: nothing saved) from one lost during
 * the commit, after which nobody can know whether it was saved (CommitUnknownError).
 */
export async function writeTransaction<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let committing = false;
    try {
      const result = await db.transaction(async (trx) => {
        const value = await work(trx);
        committing = true;
        return value;
      });
      const log = writeLogs.getStore();
      if (log) log.committed += 1;
      return result;
    } catch (err) {
      if (attempt < WRITE_ATTEMPTS && isRetryable(db, err)) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        continue;
      }
      if (!isDatabaseUnavailable(err)) throw err;
      throw committing ? new CommitUnknownError({ cause: err }) : new RolledBackError({ cause: err });
    }
  }
}

/*
 * Two writes that lock the same rows in different orders deadlock; PostgreSQL then rolls
 * one of them back (40P01), whole, and says to run it again. Merges rewrite the ratings of
 * every player with a later hand, so no one order covers every writer (a rename of such a
 * player holds its row, then waits for the league's; the merge holds the league's, then
 * waits for that row). The loser runs again, from the start, in a transaction of its own:
 * it wrote nothing. Not inside a caller's transaction, which the deadlock has aborted.
 */
const WRITE_ATTEMPTS = 4;
const PG_DEADLOCK_DETECTED = '40P01';
const PG_SERIALIZATION_FAILURE = '40001';
// (40001 comes only from REPEATABLE READ or SERIALIZABLE transactions, which none is today.)
const isRetryable = (db: Db, err: unknown): boolean =>
  !db.isTransaction && [PG_DEADLOCK_DETECTED, PG_SERIALIZATION_FAILURE].includes(pgErrorCode(err) ?? '');
