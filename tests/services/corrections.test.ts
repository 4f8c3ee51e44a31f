import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handRestore, handVoid } from '../../src/hands/services.js';
import { gameHandDelete, gameHandRecord, gameHandRestore, gameRestore, gameStart, gameVoid } from '../../src/games/services.js';
import { leaderboardGet } from '../../src/leaderboard/selectors.js';
import { handListRecent } from '../../src/hands/selectors.js';
import { gameListActive } from '../../src/games/selectors.js';
import { activityList } from '../../src/activity/selectors.js';
import { useTestDb } from '../support/db.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

async function pair() {
  return [await makePlayer(t.db, 'Alice'), await makePlayer(t.db, 'Bob')] as const;
}
const aliceRow = async () => (await leaderboardGet({ db: t.db, timeZone: 'UTC' })).find((r) => r.name === 'Alice');

describe('voiding and restoring a quick hand', () => {
  it('hides it from every statistic, keeps the row, and brings it back', async () => {
    const [alice, bob] = await pair();
    const { id } = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 5, actorId: bob.id });
    expect(await aliceRow()).toMatchObject({ played: 1, won: 1, points: 30 });

    await handVoid({ db: t.db, id, actorId: bob.id });
    await handVoid({ db: t.db, id, actorId: bob.id }); // a second click changes nothing
    expect(await aliceRow()).toMatchObject({ played: 0, won: 0, points: 0 });
    expect(await handListRecent({ db: t.db })).toEqual([]);
    expect(await t.db('hands').where({ id }).first()).toMatchObject({ voided_by: bob.id, created_by: bob.id });

    const log = await activityList({ db: t.db });
    expect(log.map((e) => [e.actor, e.action])).toEqual([
      ['Bob', 'hand.voided'],
      ['Bob', 'hand.recorded'],
      [null, 'player.created'],
      [null, 'player.created'],
    ]);
    expect(log[0]?.restorable).toEqual({ type: 'hand', id, gameId: null });

    await handRestore({ db: t.db, id, actorId: alice.id });
    expect(await aliceRow()).toMatchObject({ played: 1, won: 1, points: 30 });
    expect((await activityList({ db: t.db }))[0]).toMatchObject({ actor: 'Alice', action: 'hand.restored', restorable: null });
  });

  it('refuses to void a game\'s hand outside its game', async () => {
    const [alice, bob] = await pair();
    const { id: gameId } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'pagat', idempotencyKey: crypto.randomUUID() });
    const { handId } = await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'a', difference: 4 }, idempotencyKey: crypto.randomUUID() });
    await expect(handVoid({ db: t.db, id: handId })).rejects.toThrow(/belongs to a game/);
  });
});

describe('voiding a game', () => {
  it('hides the game and its hands, and restores both', async () => {
    const [alice, bob] = await pair();
    const { id: gameId } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'a', difference: 60 }, idempotencyKey: crypto.randomUUID() });
    expect(await gameListActive({ db: t.db })).toHaveLength(1);
    await gameVoid({ db: t.db, gameId, actorId: bob.id });
    expect(await gameListActive({ db: t.db })).toEqual([]);
    expect(await aliceRow()).toMatchObject({ played: 0, points: 0 });
    await expect(gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'a', difference: 60 }, idempotencyKey: crypto.randomUUID() })).rejects.toThrow(/voided/);
    await gameRestore({ db: t.db, gameId, actorId: bob.id });
    expect(await aliceRow()).toMatchObject({ played: 1, points: 60 });
    expect(await gameListActive({ db: t.db })).toHaveLength(1);
  });

  it('restores a deleted game hand into its old place', async () => {
    const [alice, bob] = await pair();
    const { id: gameId } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    const first = await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'a', difference: 10 }, idempotencyKey: crypto.randomUUID() });
    await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'b', difference: 20 }, idempotencyKey: crypto.randomUUID() });
    await gameHandDelete({ db: t.db, gameId, handId: first.handId });
    expect((await activityList({ db: t.db }))[0]?.restorable).toEqual({ type: 'hand', id: first.handId, gameId });
    await gameHandRestore({ db: t.db, gameId, handId: first.handId });
    const hands = await t.db('hands').where({ game_id: gameId }).whereNull('voided_at').orderBy('hand_number');
    expect(hands.map((h) => [h.hand_number, h.points])).toEqual([[1, 10], [2, 20]]);
  });
});
