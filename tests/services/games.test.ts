import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApplicationError } from '../../src/core/errors.js';
import {
  gameHandDelete,
  gameHandEdit,
  gameHandRecord,
  gameHandUndo,
  gameRulesUpdate,
  gameStart,
} from '../../src/games/services.js';
import { gameGet, gameListActive } from '../../src/games/selectors.js';
import type { HandEntry, PresetName } from '../../src/scoring/game.js';
import { useTestDb } from '../support/db.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();
const token = () => crypto.randomUUID();

async function newGame(preset: PresetName = 'north_american') {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const { id } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset, idempotencyKey: token() });
  return { id, alice, bob };
}

const play = (gameId: number, entry: HandEntry, key = token()) => gameHandRecord({ db: t.db, gameId, entry, idempotencyKey: key });
const gameRow = async (id: number) => {
  const row = await t.db('games').where({ id }).first();
  if (!row) throw new Error(`No game ${id}`);
  return row;
};
const liveHands = (gameId: number) => t.db('hands').where({ game_id: gameId }).whereNull('voided_at').orderBy('hand_number');

describe('gameStart', () => {
  it('stores the preset values with the game, once per form', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const key = token();
    const input = { db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'b' as const, preset: 'pagat' as const, idempotencyKey: key };
    const first = await gameStart(input);
    const again = await gameStart(input);
    expect(again).toEqual({ id: first.id, created: false });
    expect(await gameRow(first.id)).toMatchObject({ gin_bonus: 20, big_gin_bonus: null, undercut_bonus: 10, line_bonus: 20, shutout_game_bonus: 200, target: 100, status: 'active' });
    expect(Number((await t.db('games').count({ n: '*' }))[0]?.n)).toBe(1);
  });

  it('refuses a player against themselves', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    await expect(gameStart({ db: t.db, playerAId: alice.id, playerBId: alice.id, firstDealer: 'a', preset: 'pagat', idempotencyKey: token() })).rejects.toThrow(ApplicationError);
  });
});

describe('playing a game to 100', () => {
  it('keeps running totals and ends by itself with the bonuses', async () => {
    const { id, alice } = await newGame();
    await play(id, { outcome: 'knock', winner: 'a', deadwoodA: 4, deadwoodB: 44 }); // A 40
    await play(id, { outcome: 'gin', winner: 'b', difference: 13 }); // B 38
    let view = await gameGet({ db: t.db, id });
    expect(view?.state.totals).toEqual({ a: { handPoints: 40, handsWon: 1 }, b: { handPoints: 38, handsWon: 1 } });
    expect(view?.nextDealer).toBe('a'); // Alice lost the last hand
    expect((await gameListActive({ db: t.db }))[0]).toMatchObject({ id, nameA: 'Alice', pointsA: 40, pointsB: 38 });

    await play(id, { outcome: 'big_gin', winner: 'a', deadwoodA: 0, deadwoodB: 29 }); // A 40 + 60 = 100
    expect(await gameRow(id)).toMatchObject({ status: 'finished', winner_id: alice.id, score_a: 250, score_b: 63, margin: 187 });
    expect(await gameListActive({ db: t.db })).toEqual([]);
    view = await gameGet({ db: t.db, id });
    expect(view?.hands.map((h) => h.arithmetic)).toEqual(['Knock: 44 − 4 = 40', 'Gin: 25 + 13 = 38', 'Big gin: 31 + 29 = 60']);

    const error = await play(id, { outcome: 'knock', winner: 'b', difference: 5 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/game is over/);
    expect(await liveHands(id)).toHaveLength(3);
  });

  it('counts the game\'s hands in the hand statistics, with the game\'s line bonus', async () => {
    const { id } = await newGame('pagat');
    await play(id, { outcome: 'gin', winner: 'a', difference: 10 });
    const [hand] = await liveHands(id);
    expect(hand).toMatchObject({ points: 30, gin_bonus: 20, line_bonus: 20 });
  });

  it('rejects a hand the rules forbid, saving nothing', async () => {
    const { id } = await newGame('pagat');
    const error = await play(id, { outcome: 'big_gin', winner: 'a', difference: 10 }).catch((e: unknown) => e);
    expect((error as ApplicationError).fields.outcome).toMatch(/no big gin/);
    expect(await liveHands(id)).toHaveLength(0);
  });
});

describe('corrections', () => {
  it('undo takes back the last hand and reopens a finished game', async () => {
    const { id } = await newGame();
    await play(id, { outcome: 'knock', winner: 'a', difference: 60 });
    await play(id, { outcome: 'knock', winner: 'a', difference: 45 });
    expect((await gameRow(id)).status).toBe('finished');
    await gameHandUndo({ db: t.db, gameId: id });
    expect(await gameRow(id)).toMatchObject({ status: 'active', winner_id: null, score_a: null, finished_at: null });
    expect(await liveHands(id)).toHaveLength(1);
    // Nothing is destroyed: the undone hand is kept, voided.
    expect(await t.db('hands').where({ game_id: id }).whereNotNull('voided_at')).toHaveLength(1);
  });

  it('editing a hand recomputes the totals and can re-decide the winner', async () => {
    const { id, bob } = await newGame();
    await play(id, { outcome: 'knock', winner: 'b', difference: 90 });
    await play(id, { outcome: 'knock', winner: 'a', difference: 20 });
    const [first, second] = await liveHands(id);
    await gameHandEdit({ db: t.db, gameId: id, handId: second!.id, entry: { outcome: 'knock', winner: 'b', difference: 20 }, idempotencyKey: token() });
    expect(await gameRow(id)).toMatchObject({ status: 'finished', winner_id: bob.id });
    const hands = await liveHands(id);
    expect(hands.map((h) => [h.hand_number, h.points])).toEqual([[1, 90], [2, 20]]);
    expect(hands[0]!.id).toBe(first!.id);
    const old = await t.db('hands').where({ id: second!.id }).first();
    expect(old!.voided_at).not.toBeNull();
    expect(old!.replaced_by_id).toBe(hands[1]!.id);
  });

  it('refuses an edit that would end the game before its last hand', async () => {
    const { id } = await newGame();
    await play(id, { outcome: 'knock', winner: 'a', difference: 50 });
    await play(id, { outcome: 'knock', winner: 'b', difference: 10 });
    await play(id, { outcome: 'knock', winner: 'a', difference: 10 });
    const [first] = await liveHands(id);
    const error = await gameHandEdit({ db: t.db, gameId: id, handId: first!.id, entry: { outcome: 'knock', winner: 'a', difference: 120 }, idempotencyKey: token() }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/would end at hand 1, but 2 more were played/);
    expect((await liveHands(id)).map((h) => h.points)).toEqual([50, 10, 10]);
    expect((await gameRow(id)).status).toBe('active');
  });

  it('deleting a hand recomputes and can reopen the game', async () => {
    const { id } = await newGame();
    await play(id, { outcome: 'knock', winner: 'b', difference: 30 });
    await play(id, { outcome: 'knock', winner: 'b', difference: 80 });
    expect((await gameRow(id)).status).toBe('finished');
    const [first] = await liveHands(id);
    await gameHandDelete({ db: t.db, gameId: id, handId: first!.id });
    expect((await gameRow(id)).status).toBe('active');
    const view = await gameGet({ db: t.db, id });
    expect(view?.hands.map((h) => [h.number, h.points])).toEqual([[1, 80]]);
  });
});

describe('rules', () => {
  it('can be changed before the first hand and are locked after it', async () => {
    const { id } = await newGame();
    const values = { ginBonus: 20, bigGinBonus: null, undercutBonus: 10, lineBonus: 20, gameBonus: 100, target: 150, knockLimit: 10 };
    await gameRulesUpdate({ db: t.db, gameId: id, values });
    expect(await gameRow(id)).toMatchObject({ gin_bonus: 20, big_gin_bonus: null, target: 150, shutout_doubles: true });
    await play(id, { outcome: 'gin', winner: 'a', difference: 5 });
    expect((await liveHands(id))[0]!.points).toBe(25);
    await expect(gameRulesUpdate({ db: t.db, gameId: id, values: { ...values, ginBonus: 99 } })).rejects.toThrow(/locked/);
    expect((await gameRow(id)).gin_bonus).toBe(20);
  });
});

describe('several phones, one game', () => {
  it('records the same submission sent twice at once as one hand', async () => {
    const { id } = await newGame();
    const key = token();
    const results = await Promise.all([
      play(id, { outcome: 'knock', winner: 'a', difference: 7 }, key),
      play(id, { outcome: 'knock', winner: 'a', difference: 7 }, key),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0].handId).toBe(results[1].handId);
    expect(await liveHands(id)).toHaveLength(1);
  });

  it('keeps two different hands sent at once, in order, with no lost update', async () => {
    const { id } = await newGame();
    await Promise.all([
      play(id, { outcome: 'knock', winner: 'a', difference: 7 }),
      play(id, { outcome: 'knock', winner: 'b', difference: 9 }),
    ]);
    const hands = await liveHands(id);
    expect(hands.map((h) => h.hand_number)).toEqual([1, 2]);
    expect(hands.map((h) => h.points).sort()).toEqual([7, 9]);
    const view = await gameGet({ db: t.db, id });
    expect(view?.state.totals.a.handPoints).toBe(7);
    expect(view?.state.totals.b.handPoints).toBe(9);
  });
});
