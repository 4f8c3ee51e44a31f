import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationSource } from '../../migrations/index.js';
import { useTestDb } from '../support/db.js';
import { migrateLatest, rawRows } from '../../src/db.js';

const t = useTestDb();

const tables = async () => {
  const rows = await rawRows<{ tablename: string }>(
    t.db,
    `select tablename from pg_tables where schemaname = current_schema() and tablename not like 'knex_%' order by 1`,
  );
  return rows.map((r) => r.tablename);
};

describe('migrations', () => {
  it('roll all the way down and up again', async () => {
    const names = await migrationSource.getMigrations([]);
    expect(await tables()).toEqual(expect.arrayContaining(['hands', 'players']));
    await t.db.migrate.rollback(undefined, true);
    expect(await tables()).toEqual([]);
    const applied = await migrateLatest(t.db);
    expect(applied).toEqual(names);
    expect(await tables()).toEqual(expect.arrayContaining(['hands', 'players']));
  });
});

describe('the list of migrations', () => {
  it('names every migration file in the folder, in order, so none is silently never run', async () => {
    const files = fs
      .readdirSync(path.resolve(import.meta.dirname, '../../migrations'))
      .filter((f) => /^\d{14}_.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files.length).toBeGreaterThan(5);
    expect(await migrationSource.getMigrations([])).toEqual(files);
  });
});
