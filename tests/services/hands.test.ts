import { describe, expect, it } from 'vitest';
import { ApplicationError } from '../../src/core/errors.js';
import { handRecord } from '../../src/hands/services.js';
import { NORTH_AMERICAN, type Rules } from '../../src/scoring/rules.js';
import { useTestDb } from '../support/db.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

async function pair() {
  return [await makePlayer(t.db, 'Alice'), await makePlayer(t.db, 'Bob')] as const;
}

describe('handRecord', () => {
  it('records a gin with the gin bonus and the rule values it was scored with', async () => {
    const [alice, bob] = await pair();
    const { id, created } = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 2 });
    expect(created).toBe(true);
    const row = await t.db('hands').where({ id }).first();
    expect(row).toMatchObject({ winner_id: alice.id, outcome: 'gin', deadwood: 2, points: 27, gin_bonus: 25, line_bonus: 25 });
  });

  it('credits the second player when they win', async () => {
    const [alice, bob] = await pair();
    const { id } = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'undercut', winner: 'b', deadwood: 4 });
    expect(await t.db('hands').where({ id }).first()).toMatchObject({ winner_id: bob.id, points: 29 });
  });

  it('keeps history when the league changes its defaults', async () => {
    const [alice, bob] = await pair();
    const first = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 0 });
    const pagatish: Rules = { ...NORTH_AMERICAN, ginBonus: 20, lineBonus: 20 };
    const second = await makeHand(t.db, { rules: pagatish, playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 0 });
    const rows = await t.db('hands').whereIn('id', [first.id, second.id]).orderBy('id');
    expect(rows.map((r) => [r.points, r.gin_bonus, r.line_bonus])).toEqual([
      [25, 25, 25],
      [20, 20, 20],
    ]);
  });

  it('records a draw with no winner and no points', async () => {
    const [alice, bob] = await pair();
    const { id } = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'draw', winner: 'a', deadwood: 9 });
    expect(await t.db('hands').where({ id }).first()).toMatchObject({ winner_id: null, deadwood: null, points: 0 });
  });

  it('refuses a player against themselves', async () => {
    const [alice] = await pair();
    const error = await makeHand(t.db, { playerAId: alice.id, playerBId: alice.id, outcome: 'knock', winner: 'a', deadwood: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).fields.playerB).toMatch(/two different players/);
  });

  it('needs a winner and a deadwood difference unless it is a draw', async () => {
    const [alice, bob] = await pair();
    const error = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock' }).catch((e: unknown) => e);
    const whoWon: unknown = expect.stringMatching(/who won/);
    const deadwoodDifference: unknown = expect.stringMatching(/deadwood difference/);
    expect((error as ApplicationError).fields).toEqual({ winner: whoWon, deadwood: deadwoodDifference });
  });

  it('turns an unknown player into a domain error, not a crash', async () => {
    const [alice] = await pair();
    await expect(makeHand(t.db, { playerAId: alice.id, playerBId: 9999, outcome: 'knock', winner: 'a', deadwood: 3 })).rejects.toThrow(ApplicationError);
    expect(await t.db('hands').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('records a double submission once', async () => {
    const [alice, bob] = await pair();
    const input = { db: t.db, rules: NORTH_AMERICAN, playerAId: alice.id, playerBId: bob.id, outcome: 'knock' as const, winner: 'a' as const, deadwood: 8, idempotencyKey: 'same-token-0123456789' };
    const [one, two] = await Promise.all([handRecord(input), handRecord(input)]);
    expect(one.id).toBe(two.id);
    expect([one.created, two.created].sort()).toEqual([false, true]);
    expect(await t.db('hands').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
