import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApplicationError } from '../../src/core/errors.js';
import { gameAbandon, gameHandRecord, gameResume, gameStart, gameVoid } from '../../src/games/services.js';
import { gameGet, gameListActive, gamesWithStaleness } from '../../src/games/selectors.js';
import { leaderboardGet } from '../../src/leaderboard/selectors.js';
import { useTestDb } from '../support/db.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();
const token = () => crypto.randomUUID();

async function newGame() {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const { id } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: token() });
  return { id, alice, bob };
}
const gameRow = async (id: number) => {
  const row = await t.db('games').where({ id }).first();
  if (!row) throw new Error(`No game ${id}`);
  return row;
};
const activity = () => t.db('activity').orderBy('id').select('action', 'actor_id', 'subject_type', 'subject_id', 'summary');

describe('gameAbandon and gameResume', () => {
  it('abandons an unfinished game: kept with its hands, off the unfinished list, logged; resume undoes it', async () => {
    const { id, alice } = await newGame();
    await gameHandRecord({ db: t.db, gameId: id, entry: { outcome: 'knock', winner: 'a', difference: 12 }, idempotencyKey: token() });

    await gameAbandon({ db: t.db, gameId: id, actorId: alice.id });
    const abandoned = await gameRow(id);
    expect(abandoned.abandoned_at).toBeInstanceOf(Date);
    expect(abandoned.abandoned_by).toBe(alice.id);
    expect(abandoned).toMatchObject({ status: 'active', voided_at: null });
    expect(await t.db('hands').where({ game_id: id }).whereNull('voided_at')).toHaveLength(1);
    expect(await gameListActive({ db: t.db })).toEqual([]);
    expect((await gameGet({ db: t.db, id }))?.abandoned).toBe(true);
    // Its hand was played: it still counts as a hand; the game was never in the game standings.
    const standings = await leaderboardGet({ db: t.db, timeZone: 'UTC' });
    expect(standings.find((s) => s.name === 'Alice')).toMatchObject({ played: 1, won: 1, gamesPlayed: 0 });
    expect((await activity()).at(-1)).toMatchObject({ action: 'game.abandoned', actor_id: alice.id, subject_type: 'game', subject_id: id, summary: `abandoned game ${id}, Alice v Bob` });

    await gameResume({ db: t.db, gameId: id, actorId: alice.id });
    expect(await gameRow(id)).toMatchObject({ abandoned_at: null, abandoned_by: null, status: 'active' });
    expect((await gameListActive({ db: t.db })).map((g) => g.id)).toEqual([id]);
    expect((await activity()).at(-1)).toMatchObject({ action: 'game.resumed', subject_id: id });
  });

  it('does nothing the second time', async () => {
    const { id } = await newGame();
    await gameAbandon({ db: t.db, gameId: id });
    const first = await gameRow(id);
    await gameAbandon({ db: t.db, gameId: id });
    expect((await gameRow(id)).abandoned_at).toEqual(first.abandoned_at);
    expect((await activity()).filter((a) => a.action === 'game.abandoned')).toHaveLength(1);
  });

  it('refuses a finished game, a voided one, and a hand for an abandoned one, changing nothing', async () => {
    const { id } = await newGame();
    await gameHandRecord({ db: t.db, gameId: id, entry: { outcome: 'knock', winner: 'a', difference: 120 }, idempotencyKey: token() });
    expect((await gameRow(id)).status).toBe('finished');
    await expect(gameAbandon({ db: t.db, gameId: id })).rejects.toThrow(ApplicationError);
    expect((await gameRow(id)).abandoned_at).toBeNull();

    const other = await gameStart({ db: t.db, playerAId: (await gameRow(id)).player_a_id, playerBId: (await gameRow(id)).player_b_id, firstDealer: 'a', preset: 'pagat', idempotencyKey: token() });
    await gameVoid({ db: t.db, gameId: other.id });
    await expect(gameAbandon({ db: t.db, gameId: other.id })).rejects.toThrow('voided');
    expect((await gameRow(other.id)).abandoned_at).toBeNull();

    const third = await gameStart({ db: t.db, playerAId: (await gameRow(id)).player_a_id, playerBId: (await gameRow(id)).player_b_id, firstDealer: 'a', preset: 'pagat', idempotencyKey: token() });
    await gameAbandon({ db: t.db, gameId: third.id });
    await expect(gameHandRecord({ db: t.db, gameId: third.id, entry: { outcome: 'gin', winner: 'a', difference: 3 }, idempotencyKey: token() })).rejects.toThrow('abandoned');
    expect(await t.db('hands').where({ game_id: third.id })).toEqual([]);
  });
});

describe('gamesWithStaleness', () => {
  it('marks games untouched for the configured number of days', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const game = (id: number, lastPlayed: string) => ({ id, nameA: 'A', nameB: 'B', pointsA: 0, pointsB: 0, target: 100, lastPlayed: new Date(lastPlayed) });
    const listed = gamesWithStaleness([game(1, '2026-11-25T09:00:00Z'), game(2, '2026-11-11T12:00:01Z'), game(3, '2026-11-11T12:00:00Z')], { now, staleDays: 14 });
    expect(listed.map((g) => [g.id, g.idleDays, g.stale])).toEqual([
      [1, 0, false],
      [2, 13, false],
      [3, 14, true],
    ]);
  });
});
