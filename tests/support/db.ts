import crypto from 'node:crypto';
import knexFactory from 'knex';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createDb, createPgliteDb, createPgliteInstance, migrateLatest, type Db } from '../../src/db.js';

export interface TestDb {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** The database's own URL, on Postgres. */
  url?: string;
  /** Empties every table, so each test starts from nothing. */
  reset(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * database on the server named by TEST_DATABASE_URL (dropped again afterwards).
 */
export async function createTestDb(): Promise<TestDb> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  let db: Db;
  let drop = async () => {};
  let fileUrl: string | undefined;
  if (serverUrl) {
    const name = `grl_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    fileUrl = url.toString();
    db = createDb({ kind: 'postgres', url: url.toString(), ssl: false, poolMax: 10, statementTimeoutMs: 10_000 });
    drop = async () => {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    };
  } else {
    db = createPgliteDb(createPgliteInstance());
  }
  await migrateLatest(db);
  return {
    db,
    kind: serverUrl ? 'postgres' : 'pglite',
    url: fileUrl,
    async reset() {
      const { rows } = await db.raw(
        `select tablename from pg_tables where schemaname = current_schema() and tablename not like 'knex_%' and tablename <> 'league_version'`,
      );
      const tables = (rows as { tablename: string }[]).map((r) => `"${r.tablename}"`);
      if (tables.length) await db.raw(`truncate ${tables.join(', ')} restart identity cascade`);
    },
    async destroy() {
      await db.destroy();
      await drop();
    },
  };
}

/** One database for the file, emptied before each test. */
export function useTestDb(): { readonly db: Db; readonly testDb: TestDb } {
  let testDb: TestDb | undefined;
  beforeAll(async () => {
    testDb = await createTestDb();
  });
  beforeEach(async () => {
    await testDb?.reset();
  });
  afterAll(async () => {
    await testDb?.destroy();
  });
  return {
    get db() {
      if (!testDb) throw new Error('test database not ready');
      return testDb.db;
    },
    get testDb() {
      if (!testDb) throw new Error('test database not ready');
      return testDb;
    },
  };
}
