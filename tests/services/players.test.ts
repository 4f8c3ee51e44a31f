import { describe, expect, it } from 'vitest';
import { ApplicationError } from '../../src/core/errors.js';
import { playerCreate, playerRename } from '../../src/players/services.js';
import { playerList } from '../../src/players/selectors.js';
import { useTestDb } from '../support/db.js';

const t = useTestDb();

describe('playerCreate', () => {
  it('adds a player with an id', async () => {
    const alice = await playerCreate({ db: t.db, name: 'Alice' });
    const anyId: unknown = expect.any(Number);
    expect(alice).toEqual({ id: anyId, name: 'Alice' });
    expect(await playerList({ db: t.db })).toEqual([alice]);
  });

  it('refuses a name that differs from another only in case', async () => {
    await playerCreate({ db: t.db, name: 'Alice' });
    await expect(playerCreate({ db: t.db, name: 'aLICE' })).rejects.toThrow(ApplicationError);
    expect(await playerList({ db: t.db })).toHaveLength(1);
  });

  it('keeps the name unique when two adds race', async () => {
    const results = await Promise.allSettled([
      playerCreate({ db: t.db, name: 'Bob' }),
      playerCreate({ db: t.db, name: 'BOB' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await playerList({ db: t.db })).toHaveLength(1);
  });
});

describe('playerRename', () => {
  it('renames, keeping the id', async () => {
    const alice = await playerCreate({ db: t.db, name: 'Alice' });
    const renamed = await playerRename({ db: t.db, id: alice.id, name: 'Alicia' });
    expect(renamed).toEqual({ id: alice.id, name: 'Alicia' });
  });

  it('allows a change of case of the same player', async () => {
    const alice = await playerCreate({ db: t.db, name: 'alice' });
    await expect(playerRename({ db: t.db, id: alice.id, name: 'Alice' })).resolves.toMatchObject({ name: 'Alice' });
  });

  it("refuses to take another player's name", async () => {
    await playerCreate({ db: t.db, name: 'Alice' });
    const bob = await playerCreate({ db: t.db, name: 'Bob' });
    const error = await playerRename({ db: t.db, id: bob.id, name: 'ALICE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).fields.name).toMatch(/already a player called Alice\./);
  });
});
