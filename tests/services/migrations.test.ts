import { describe, expect, it } from 'vitest';
import { migrationSource } from '../../migrations/index.js';
import { useTestDb } from '../support/db.js';

const t = useTestDb();

const tables = async () => {
  const { rows } = await t.db.raw(
    `select tablename from pg_tables where schemaname = current_schema() and tablename not like 'knex_%' order by 1`,
  );
  return (rows as { tablename: string }[]).map((r) => r.tablename);
};

describe('migrations', () => {
  it('roll all the way down and up again', async () => {
    const names = await migrationSource.getMigrations([]);
    expect(await tables()).toEqual(expect.arrayContaining(['hands', 'players']));
    await t.db.migrate.rollback(undefined, true);
    expect(await tables()).toEqual([]);
    const [, applied] = await t.db.migrate.latest();
    expect(applied).toEqual(names);
    expect(await tables()).toEqual(expect.arrayContaining(['hands', 'players']));
  });
});
