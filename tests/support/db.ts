import fs from 'node:fs';
import { scratchDatabase } from './scratchDatabase.js';
import { PGLITE_TEMPLATE_ENV } from './template.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createDb, createPgliteDb, migrateLatest, pgliteOf, rawRows, type Db } from '../../src/db.js';
import { errorCode } from '../../src/core/errors.js';

/** PostgreSQL's SQLSTATE for a deadlock the server broke by ending one transaction. */
const DEADLOCK_DETECTED = '40P01';

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
  if (!serverUrl) return pgliteTestDb();
  const scratch = await scratchDatabase(serverUrl, `grl_test_${process.pid}`);
  const db = createDb({ kind: 'postgres', url: scratch.url, ssl: false, poolMax: 10, statementTimeoutMs: 10_000 });
  await migrateLatest(db);
  return {
    db,
    kind: 'postgres',
    url: scratch.url,
    reset: () => emptyTables(db),
    async destroy() {
      await db.destroy();
      await scratch.drop();
    },
  };
}

/*
 * On PGlite a worker keeps the database of a test file that is done, and the next file
 * starts from it emptied (Vitest's isolate: false shares this module between the files of
 * a worker): starting an engine from the template costs about 0.4 s of CPU a file. It is
 * kept only as it was made: engine open, the same migrations, tables, columns and
 * triggers (tests/services/migrations.test.ts rolls them down and up again: not kept), and
 * the next file gets it with every table emptied, the sequences restarted, the session's
 * settings reset, and league_version back to the template's.
 */
interface Spare {
  db: Db;
  shape: string;
  version: number;
}
let spare: Spare | undefined;

/** What must be the same for a database to count as freshly migrated. */
async function shapeOf(db: Db): Promise<string> {
  const [row] = await rawRows<{ shape: string }>(
    db,
    `select concat_ws(' | ',
       (select string_agg(name || ':' || batch, ',' order by id) from knex_migrations),
       (select string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, ''), ',' order by table_name, column_name)
          from information_schema.columns where table_schema = current_schema()),
       (select string_agg(tgname, ',' order by tgname) from pg_trigger where not tgisinternal),
       (select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = current_schema())) as shape`,
  );
  return row?.shape ?? '';
}

const versionOf = async (db: Db) => Number((await rawRows<{ version: string }>(db, 'select version from league_version where id = 1'))[0]?.version);

async function pgliteTestDb(): Promise<TestDb> {
  let kept = spare;
  spare = undefined;
  if (kept && (pgliteOf(kept.db).closed || (await shapeOf(kept.db)) !== kept.shape)) {
    await kept.db.destroy().catch(() => {});
    kept = undefined;
  }
  let made: Spare;
  if (kept) {
    made = kept;
    await made.db.raw('reset all');
    await emptyTables(made.db);
    await made.db('league_version').where({ id: 1 }).update({ version: made.version });
  } else {
    const db = await createPgliteFromTemplate();
    await migrateLatest(db);
    made = { db, shape: await shapeOf(db), version: await versionOf(db) };
  }
  const { db } = made;
  return {
    db,
    kind: 'pglite',
    reset: () => emptyTables(db),
    async destroy() {
      const keep = !spare && !pgliteOf(db).closed && (await shapeOf(db).catch(() => '')) === made.shape;
      if (keep) spare = made;
      else await db.destroy();
    },
  };
}

/*
 * Empties every table but league_version (a live page's version only goes up) and restarts
 * the sequences: nothing to do, and nothing done, when the test before wrote nothing
 * (a truncate of every table costs more CPU than most tests).
 */
async function emptyTables(db: Db): Promise<void> {
  const [state] = await rawRows<{ tables: string | null; used: boolean }>(
    db,
    `select (select string_agg(format('%I', tablename), ', ' order by tablename) from pg_tables
              where schemaname = current_schema() and tablename not like 'knex\\_%' and tablename <> 'league_version') as tables,
            exists (select 1 from pg_sequences where schemaname = current_schema() and sequencename not like 'knex\\_%' and last_value is not null) as used`,
  );
  if (!state?.tables) return;
  const tables = state.tables.split(', ');
  if (!state.used) {
    const [written] = await rawRows<{ any: boolean }>(db, `select ${tables.map((t) => `exists (select 1 from ${t})`).join(' or ')} as any`);
    if (!written?.any) return;
  }
  // A page left open by the test before (a live page refetching, an offline queue
  // sending) may still be writing: on PostgreSQL its locks and the truncate's can
  // deadlock, and the server ends one of them. The truncate then simply goes again.
  for (let attempt = 1; ; attempt++) {
    try {
      await db.raw(`truncate ${state.tables} restart identity cascade`);
      return;
    } catch (err) {
      if (errorCode(err) !== DEADLOCK_DETECTED || attempt === 5) throw err;
    }
  }
}

/**
 * A new in-memory PGlite, started from the global setup's migrated template when there is
 * one (about 0.3 s of CPU, where creating and migrating one takes 4 s).
 */
export async function createPgliteFromTemplate(): Promise<Db> {
  const template = process.env[PGLITE_TEMPLATE_ENV];
  return createPgliteDb(undefined, { loadDataDir: template ? new Blob([fs.readFileSync(template)]) : undefined });
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
