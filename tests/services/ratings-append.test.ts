/*
 * A quick hand of now has its ratings appended by hand_record (SQL: one Elo step from each
 * player's latest rating) instead of replayed (TypeScript: src/scoring/elo.ts). These tests
 * hold the two equal, bit for bit: the SQL step against eloUpdate, and the ratings stored
 * after any mix of appends, late hands, corrections and voids against a full recompute.
 * Then the same under concurrency: many hands at once, and one form sent many times at once.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawRows } from '../../src/db.js';
import { handRecord, handRestore, handVoid } from '../../src/hands/services.js';
import { gameHandDelete, gameHandEdit, gameHandRecord, gameStart, gameVoid } from '../../src/games/services.js';
import { DEFAULT_ELO, ratingsRecompute } from '../../src/ratings/services.js';
import { eloReplay, eloUpdate } from '../../src/scoring/elo.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';
import { NOT_LATEST } from '../../migrations/20261203080000_hand_record_function.js';
import { pgErrorCode } from '../../src/db.js';
import { ApplicationError, NotFoundError } from '../../src/core/errors.js';
import { playerMerge } from '../../src/players/merge.js';
import { playerRename } from '../../src/players/services.js';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue } from '../support/app.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();

/** Every stored rating, exactly (no rounding), in hand order. */
const stored = async () =>
  (await t.db('ratings').orderBy(['played_at', 'hand_id', 'player_id'])).map((r) => ({ hand: r.hand_id, player: r.player_id, before: r.before, after: r.after }));

/** What a replay of every live hand from scratch gives, in the same order. */
async function replayed() {
  const hands = await t.db('live_hands').orderBy(['played_at', 'id']);
  const steps = eloReplay(DEFAULT_ELO, new Map(), hands.map((h) => ({ handId: h.id, playerAId: h.player_a_id, playerBId: h.player_b_id, winnerId: h.winner_id })));
  return steps
    .map((s, i) => ({ hand: s.handId, player: s.playerId, before: s.before, after: s.after, order: Math.floor(i / 2) }))
    .sort((x, y) => x.order - y.order || x.player - y.player)
    .map(({ hand, player, before, after }) => ({ hand, player, before, after }));
}

const quickHand = (playerAId: number, playerBId: number, winner: 'a' | 'b' | undefined, deadwood: number, playedAt?: Date) =>
  handRecord({
    db: t.db,
    rules: NORTH_AMERICAN,
    playerAId,
    playerBId,
    outcome: winner ? 'knock' : 'draw',
    winner,
    deadwood: winner ? deadwood : undefined,
    idempotencyKey: crypto.randomUUID(),
    ...(playedAt ? { playedAt } : {}),
  });

describe('hand_record appends ratings', () => {
  it('with the same Elo step as eloUpdate, bit for bit, over many ratings far apart', async () => {
    const players = [];
    for (let i = 0; i < 6; i++) players.push(await makePlayer(t.db, `P${i}`));
    // A seeded walk, so that ratings drift far from the start and apart from each other.
    let seed = 17;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const ratings = new Map<number, number>();
    for (let i = 0; i < 120; i++) {
      const a = players[Math.floor(random() * 3)]!.id;
      const b = players[3 + Math.floor(random() * 3)]!.id;
      const roll = random();
      const winner = roll < 0.1 ? undefined : roll < 0.8 ? 'a' : 'b'; // the first three mostly win
      const { id } = await quickHand(a, b, winner, 1 + Math.floor(random() * 30));
      const [ra, rb] = [ratings.get(a) ?? DEFAULT_ELO.start, ratings.get(b) ?? DEFAULT_ELO.start];
      const [expectA, expectB] = eloUpdate(DEFAULT_ELO.k, ra, rb, winner === undefined ? 0.5 : winner === 'a' ? 1 : 0);
      ratings.set(a, expectA);
      ratings.set(b, expectB);
      const rows = await t.db('ratings').where({ hand_id: id });
      expect(Object.fromEntries(rows.map((r) => [r.player_id, [r.before, r.after]]))).toEqual({ [a]: [ra, expectA], [b]: [rb, expectB] });
    }
    expect(Math.max(...ratings.values()) - Math.min(...ratings.values())).toBeGreaterThan(200);
    expect(await stored()).toEqual(await replayed());
  });

  it('only for the latest hand: told to append an earlier one, it stores nothing and says so', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await quickHand(alice.id, bob.id, 'a', 5);
    const call = (mustAppend: boolean) =>
      rawRows<{ is_new: boolean; is_rated: boolean }>(
        t.db,
        `select * from hand_record(?::integer, ?::integer, ?::integer, 'knock', 5, 5, 25, 31, 25, 25, ?::text, null, ?::timestamptz, 1500, 32, 'recorded %1$s v %2$s', '/', ?::boolean)`,
        [alice.id, bob.id, alice.id, crypto.randomUUID(), new Date(Date.UTC(2020, 0, 1)), mustAppend],
      );
    const error = await call(true).catch((e: unknown) => e);
    expect(pgErrorCode(error)).toBe(NOT_LATEST);
    expect(await t.db('hands')).toHaveLength(1);
    // Without the demand, it stores the hand and leaves its ratings to the caller's recompute.
    expect(await call(false)).toEqual([expect.objectContaining({ is_new: true, is_rated: false })]);
    expect(await t.db('ratings')).toHaveLength(2);
  });

  it('that equal a full recompute after any mix of hands, late hands, corrections and voids', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('hand' as const), a: fc.nat(3), b: fc.nat(3), winner: fc.constantFrom('a' as const, 'b' as const, undefined), deadwood: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('late' as const), a: fc.nat(3), b: fc.nat(3), winner: fc.constantFrom('a' as const, 'b' as const), daysAgo: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constantFrom('void' as const, 'restore' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constantFrom('gameHand' as const, 'gameEdit' as const, 'gameDelete' as const, 'gameVoid' as const), pick: fc.nat(), winner: fc.constantFrom('a' as const, 'b' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        await t.testDb.reset();
        const players = [];
        for (let i = 0; i < 4; i++) players.push((await makePlayer(t.db, `Q${i}`)).id);
        const { id: gameId } = await gameStart({ db: t.db, playerAId: players[0]!, playerBId: players[1]!, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
        const quick: number[] = [];
        const gameHands: number[] = [];
        const pick = <T>(xs: T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
        for (const s of steps) {
          if (s.kind === 'hand' || s.kind === 'late') {
            const b = s.a === s.b ? (s.b + 1) % 4 : s.b;
            const playedAt = s.kind === 'late' ? new Date(Date.now() - s.daysAgo * 86_400_000) : undefined;
            quick.push((await quickHand(players[s.a]!, players[b]!, s.winner, s.kind === 'hand' ? s.deadwood : 7, playedAt)).id);
          } else if (s.kind === 'void' || s.kind === 'restore') {
            const id = pick(quick, s.pick);
            if (id !== undefined) await (s.kind === 'void' ? handVoid : handRestore)({ db: t.db, id });
          } else {
            // A game's corrections may be refused (a game over, or voided): that changes nothing.
            const entry = { outcome: 'knock' as const, winner: 'winner' in s ? s.winner : ('a' as const), difference: 3 };
            const handId = pick(gameHands, s.pick);
            const change =
              s.kind === 'gameHand'
                ? gameHandRecord({ db: t.db, gameId, entry, idempotencyKey: crypto.randomUUID() }).then((r) => void gameHands.push(r.handId))
                : s.kind === 'gameVoid'
                  ? gameVoid({ db: t.db, gameId })
                  : handId === undefined
                    ? Promise.resolve()
                    : s.kind === 'gameEdit'
                      ? gameHandEdit({ db: t.db, gameId, handId, entry, idempotencyKey: crypto.randomUUID() }).then((r) => void gameHands.push(r.handId))
                      : gameHandDelete({ db: t.db, gameId, handId });
            await change.catch((err: unknown) => {
              if (!(err instanceof ApplicationError || err instanceof NotFoundError)) throw err;
            });
          }
          expect(await stored()).toEqual(await replayed());
        }
        // And the recompute path itself, from nothing, writes exactly what is stored.
        const before = await stored();
        await ratingsRecompute({ db: t.db, from: null });
        expect(await stored()).toEqual(before);
      }),
      { numRuns: 12 },
    );
  });
});

describe('recording hands at the same time', () => {
  it('stores every one of many hands sent at once, each with its ratings and its line in the log', async () => {
    const players: number[] = [];
    for (let i = 0; i < 5; i++) players.push((await makePlayer(t.db, `R${i}`)).id);
    const n = 24;
    const version = async () => Number((await t.db('league_version').where({ id: 1 }).first())?.version);
    const versionBefore = await version();
    const results = await Promise.all(Array.from({ length: n }, (_, i) => quickHand(players[i % 5]!, players[(i + 1 + (i % 3)) % 5]!, i % 4 ? 'a' : 'b', 1 + i)));
    expect(results.every((r) => r.created)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(n);
    expect(await t.db('hands')).toHaveLength(n);
    expect(await t.db('activity').where({ action: 'hand.recorded' })).toHaveLength(n);
    expect(await stored()).toHaveLength(2 * n);
    expect(await stored()).toEqual(await replayed());
    // One move of the league's version (and one notification) per hand: the live pages' cue.
    expect((await version()) - versionBefore).toBe(n);
  });

  it('stores one hand for one form sent many times at once, and answers "sent before" to all but one', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const token = crypto.randomUUID();
    const send = () => handRecord({ db: t.db, rules: NORTH_AMERICAN, playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 0, idempotencyKey: token });
    const version = async () => Number((await t.db('league_version').where({ id: 1 }).first())?.version);
    const versionBefore = await version();
    const results = await Promise.all(Array.from({ length: 10 }, send));
    // The resends store nothing, so they move no version (no cache emptied, no live page refetching).
    expect((await version()) - versionBefore).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.headline))).toEqual(new Set(['Alice +25 (gin)']));
    expect(await t.db('hands')).toHaveLength(1);
    expect(await t.db('activity').where({ action: 'hand.recorded' })).toHaveLength(1);
    expect(await stored()).toEqual(await replayed());
  });

  it('goes alongside a merge of its players without a deadlock, and never stores a hand for a player merged away', async () => {
    for (let round = 0; round < 6; round++) {
      await t.testDb.reset();
      const alice = await makePlayer(t.db, 'Alice');
      const bob = await makePlayer(t.db, 'Bob');
      const carol = await makePlayer(t.db, 'Carol');
      const outcomes = await Promise.allSettled([
        quickHand(alice.id, bob.id, 'a', 5),
        quickHand(alice.id, carol.id, 'a', 6),
        quickHand(bob.id, alice.id, 'b', 7),
        playerMerge({ db: t.db, fromId: bob.id, intoId: carol.id }),
        quickHand(alice.id, bob.id, 'a', 9),
      ]);
      // A hand may be refused (Bob merged away), never fail otherwise (a deadlock is 40P01).
      for (const o of outcomes) {
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ApplicationError);
      }
      // Alice v Carol is untouched by the merge (Bob into Carol): it is always stored.
      expect(outcomes[1].status).toBe('fulfilled');
      expect(outcomes[3].status).toBe('fulfilled');
      // Every hand stored is Alice v Carol now (moved by the merge, or so from the start); the refused ones are not stored.
      const rows = await t.db('hands');
      expect(rows.every((h) => [h.player_a_id, h.player_b_id].sort().join() === [alice.id, carol.id].sort().join())).toBe(true);
      expect(rows).toHaveLength(outcomes.filter((o, i) => i !== 3 && o.status === 'fulfilled').length);
      expect(await stored()).toEqual(await replayed());
    }
  });

  it('goes alongside a rename of a player whose ratings a merge rewrites, neither failing', async () => {
    for (let round = 0; round < 8; round++) {
      await t.testDb.reset();
      const alice = await makePlayer(t.db, 'Alice');
      const bob = await makePlayer(t.db, 'Bob');
      const carol = await makePlayer(t.db, 'Carol');
      const dave = await makePlayer(t.db, 'Dave');
      // Dave's ratings come after Bob's first hand: the merge (Bob into Carol) rewrites them.
      await quickHand(alice.id, bob.id, 'a', 5);
      await quickHand(dave.id, alice.id, 'a', 6);
      await quickHand(dave.id, carol.id, 'b', 7);
      const outcomes = await Promise.allSettled([
        playerRename({ db: t.db, id: dave.id, name: `David ${round}` }),
        playerMerge({ db: t.db, fromId: bob.id, intoId: carol.id }),
        playerRename({ db: t.db, id: dave.id, name: `Dave ${round}` }),
      ]);
      // (A deadlock, 40P01, until transactions that lose one are run again.)
      expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      expect(['David', 'Dave'].map((n) => `${n} ${round}`)).toContain((await t.db('players').where({ id: dave.id }).first())?.name);
      expect(await t.db('hands').where({ player_a_id: bob.id }).orWhere({ player_b_id: bob.id })).toEqual([]);
      expect(await stored()).toEqual(await replayed());
    }
  });

  it('stores one hand for one form sent many times at once through POST /hands', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/hands/new');
    const body = { _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'b', deadwood: '9' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => c.agent.post('/hands').type('form').send(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(303));
    expect(await t.db('hands')).toHaveLength(1);
    expect(await t.db('activity').where({ action: 'hand.recorded' })).toHaveLength(1);
    expect(await stored()).toEqual(await replayed());
    expect(await stored()).toHaveLength(2);
  });

  it('stores each of many forms sent at once through POST /hands, ratings in step', async () => {
    const players: number[] = [];
    for (let i = 0; i < 4; i++) players.push((await makePlayer(t.db, `S${i}`)).id);
    const c = client(createTestApp(t.db));
    const forms = [];
    for (let i = 0; i < 12; i++) forms.push(await c.formTokens('/hands/new'));
    const answers = await Promise.all(
      forms.map(({ csrf, html }, i) =>
        c.agent
          .post('/hands')
          .type('form')
          .send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(players[i % 4]), playerB: String(players[(i + 1) % 4]), outcome: 'gin', winner: i % 2 ? 'a' : 'b', deadwood: '3' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(303));
    expect(await t.db('hands')).toHaveLength(12);
    expect(await stored()).toEqual(await replayed());
  });
});
