import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
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

export function createPgliteInstance(dataDir?: string): PGlite {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // (Options go in the one argument: PGlite ignores them after an undefined dataDir.)
  return new PGlite({ dataDir, parsers: { [NUMERIC]: toNumber } });
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
  return createPgliteDb(createPgliteInstance(path.resolve(database.dataDir)));
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
