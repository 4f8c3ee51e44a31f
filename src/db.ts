import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Config } from './config.js';
import { migrationSource } from '../migrations/index.js';
import { CommitUnknownError, RolledBackError } from './core/errors.js';
import { lockDataDir } from './dataDirLock.js';

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

/** A PGlite engine: in a folder, or in memory; in memory it may start from a dump (a test's template). */
export function createPgliteInstance(dataDir?: string, loadDataDir?: Blob): PGlite {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // (Options go in the one argument: PGlite ignores them after an undefined dataDir.)
  return new PGlite({ dataDir, parsers: { [NUMERIC]: toNumber }, ...(loadDataDir ? { loadDataDir } : {}) });
}

/** Where Knex's own warnings go (it writes to the console otherwise): the app's logger. */
export interface DbLog {
  warn(message: unknown): void;
  error(message: unknown): void;
}

export function createDb(database: Config['database'], log?: DbLog): Db {
  const knexLog = log
    ? { warn: (m: unknown) => log.warn(m), error: (m: unknown) => log.error(m), deprecate: (m: unknown) => log.warn(m), debug: () => {} }
    : undefined;
  if (database.kind === 'postgres') {
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
  const dataDir = path.resolve(database.dataDir);
  const lock = lockDataDir(dataDir); // refuses at once if another process has the folder open
  let db: Db;
  try {
    db = createPgliteDb(createPgliteInstance(dataDir));
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

/** A Knex handle over one PGlite instance (a folder on disk, or memory when none is given). */
export function createPgliteDb(pglite: PGlite): Db {
  return knexFactory({
    client: ClientPGLite as unknown as typeof Knex.Client,
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
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown; nativeError?: unknown };
  yield e;
  for (const inner of [e.cause, e.originalError, e.nativeError]) yield* chain(inner, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
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

/**
 * A write in one transaction. It notes each commit in the request's write log, and tells a
 * lost connection before the commit (RolledBackError: nothing saved) from one lost during
 * the commit, after which nobody can know whether it was saved (CommitUnknownError).
 */
export async function writeTransaction<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
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
    if (!isDatabaseUnavailable(err)) throw err;
    throw committing ? new CommitUnknownError({ cause: err }) : new RolledBackError({ cause: err });
  }
}
