import { describe, expect, it } from 'vitest';
import { ApplicationError } from '../../src/core/errors.js';
import { playerCreate, playerRename } from '../../src/players/services.js';
import { playerListWithLookAlikes } from '../../src/players/selectors.js';
import { useTestDb } from '../support/db.js';

const t = useTestDb();

const rows = async () => t.db('players').orderBy('id').select('id', 'name', 'name_key');

describe('one person, one player', () => {
  it.each([
    ['Ｂｏｂ', 'Bob'],
    ['BOB', 'Bob'],
    ['Bob\u200B', null], // refused for the character, before any comparison
    ['ｏｌｉｖｉｅｒ', 'Olivier'],
    ['Zoe\u0301', 'Zoé'],
    ['STRAUSS', 'Strauß'],
  ])('refuses %j next to an existing look-alike, naming them as stored', async (typed, existing) => {
    await playerCreate({ db: t.db, name: existing ?? 'Bob' });
    const err = await playerCreate({ db: t.db, name: typed }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationError);
    if (existing) expect((err as ApplicationError).message).toContain(`There is already a player called ${existing}.`);
    else expect((err as ApplicationError).message).toMatch(/U\+200B/);
    expect(await rows()).toHaveLength(1);
  });

  it('stores the name in NFC, trimmed, and its key', async () => {
    await playerCreate({ db: t.db, name: '  Ame\u0301lie   Poulain ' });
    const anyId: unknown = expect.any(Number);
    expect(await rows()).toEqual([{ id: anyId, name: 'Amélie Poulain', name_key: 'amélie poulain' }]);
  });

  it('refuses a rename onto a look-alike, and allows one onto the same key', async () => {
    await playerCreate({ db: t.db, name: 'Olivier' });
    const bob = await playerCreate({ db: t.db, name: 'Bob' });
    await expect(playerRename({ db: t.db, id: bob.id, name: 'ＯＬＩＶＩＥＲ' })).rejects.toThrow('There is already a player called Olivier.');
    await expect(playerRename({ db: t.db, id: bob.id, name: 'Ｂｏｂ' })).resolves.toEqual({ id: bob.id, name: 'Ｂｏｂ' });
  });

  it('keeps the key unique when two look-alikes are added at once', async () => {
    const results = await Promise.allSettled([playerCreate({ db: t.db, name: 'Bob' }), playerCreate({ db: t.db, name: 'Ｂｏｂ' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(String(refused?.reason)).toMatch(/There is already a player called (Bob|Ｂｏｂ)\./);
    expect(await rows()).toHaveLength(1);
  });
});

describe('the migration to name keys', () => {
  it('does not fail on look-alikes already in the league: the oldest keeps the key, the others are listed to merge', async () => {
    // Back to the schema before the rule, and a league that the old index allowed.
    // (Undo every migration from the name keys on, however many came after them.)
    while ((await t.db.migrate.currentVersion()) >= '20261125110000') await t.db.migrate.down();
    const names = ['Bob', 'BOB', 'Ｂｏｂ', ' Zoe\u0301  Smith ', 'Alice', 'Bob\u200B'];
    const ids: number[] = [];
    for (const name of names) {
      try {
        const [row] = await t.db('players').insert({ name }).returning('id');
        ids.push(row!.id);
      } catch {
        ids.push(-1); // the old case-insensitive index refused it
      }
    }
    await t.db.migrate.latest();
    const after = await rows();
    const byName = new Map(after.map((r) => [r.name, r]));
    expect(byName.get('Bob')?.name_key).toBe('bob');
    expect(byName.get('Ｂｏｂ')?.name_key).toBeNull();
    expect(byName.get('Zoé Smith')?.name_key).toBe('zoé smith'); // put in the stored form
    expect(byName.get('Alice')?.name_key).toBe('alice');
    expect(byName.get('Bob\u200B')?.name_key).toBe('bob\u200b'); // kept as it was: a person must rename it
    const listed = await playerListWithLookAlikes({ db: t.db });
    expect(listed.find((p) => p.name === 'Ｂｏｂ')?.lookAlikeOf).toEqual({ id: byName.get('Bob')?.id, name: 'Bob' });
    expect(listed.find((p) => p.name === 'Bob')?.lookAlikeOf).toBeNull();
    // And the rule holds from now on.
    await expect(playerCreate({ db: t.db, name: 'bOB' })).rejects.toThrow('There is already a player called Bob.');
  });
});
