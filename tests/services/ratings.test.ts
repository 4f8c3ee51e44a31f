import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handRestore, handVoid } from '../../src/hands/services.js';
import { gameHandEdit, gameHandRecord, gameStart, gameVoid } from '../../src/games/services.js';
import { DEFAULT_ELO, ratingsRecompute } from '../../src/ratings/services.js';
import { ratingListCurrent } from '../../src/ratings/selectors.js';
import { eloReplay } from '../../src/scoring/elo.js';
import { useTestDb } from '../support/db.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

const stored = async () => (await t.db('ratings').orderBy(['played_at', 'hand_id', 'player_id'])).map((r) => [r.hand_id, r.player_id, Math.round(r.after * 1e6)]);

/** What a replay of every live hand from scratch gives. */
async function replayed() {
  const hands = await t.db('live_hands').orderBy(['played_at', 'id']);
  const steps = eloReplay(DEFAULT_ELO, new Map(), hands.map((h) => ({ handId: h.id, playerAId: h.player_a_id, playerBId: h.player_b_id, winnerId: h.winner_id })));
  const playedAt = new Map(hands.map((h) => [h.id, h.played_at.getTime()]));
  return steps
    .sort((x, y) => (playedAt.get(x.handId) as number) - (playedAt.get(y.handId) as number) || x.handId - y.handId || x.playerId - y.playerId)
    .map((s) => [s.handId, s.playerId, Math.round(s.after * 1e6)]);
}

describe('stored ratings', () => {
  it('follow each recorded hand: 1500 each, +16 and -16 after the first', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 4 });
    const ratings = await ratingListCurrent({ db: t.db, start: 1500 });
    expect(ratings.get(alice.id)).toBe(1516);
    expect(ratings.get(bob.id)).toBe(1484);
  });

  it('are recomputed from the changed point on every correction, as a full replay would give', async () => {
    const [alice, bob, carol] = [await makePlayer(t.db, 'Alice'), await makePlayer(t.db, 'Bob'), await makePlayer(t.db, 'Carol')];
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [a, b] = i % 3 === 0 ? [alice, bob] : i % 3 === 1 ? [bob, carol] : [carol, alice];
      const { id } = await makeHand(t.db, {
        playerAId: a.id,
        playerBId: b.id,
        outcome: i === 5 ? 'draw' : 'knock',
        winner: i % 2 ? 'a' : 'b',
        deadwood: 5 + i,
        playedAt: new Date(Date.UTC(2026, 9, 1 + i, 20)),
      });
      ids.push(id);
    }
    expect(await stored()).toEqual(await replayed());

    await handVoid({ db: t.db, id: ids[2] as number });
    expect(await stored()).toEqual(await replayed());
    expect((await t.db('ratings').where({ hand_id: ids[2] })).length).toBe(0);

    // A hand recorded late, for an earlier evening, slots into the history.
    await makeHand(t.db, { playerAId: alice.id, playerBId: carol.id, outcome: 'gin', winner: 'a', deadwood: 0, playedAt: new Date(Date.UTC(2026, 9, 1, 21)) });
    expect(await stored()).toEqual(await replayed());

    await handRestore({ db: t.db, id: ids[2] as number });
    expect(await stored()).toEqual(await replayed());
    const before = await stored();
    await ratingsRecompute({ db: t.db, from: null });
    expect(await stored()).toEqual(before);
  });

  it('stay consistent when many hands are recorded at once', async () => {
    const players = [await makePlayer(t.db, 'Alice'), await makePlayer(t.db, 'Bob'), await makePlayer(t.db, 'Carol')];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const a = players[i % 3] as { id: number };
        const b = players[(i + 1) % 3] as { id: number };
        return makeHand(t.db, { playerAId: a.id, playerBId: b.id, outcome: 'knock', winner: i % 2 ? 'a' : 'b', deadwood: i + 1 });
      }),
    );
    expect(await stored()).toHaveLength(40);
    expect(await stored()).toEqual(await replayed());
  });

  it('follow game corrections and voided games', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { id: gameId } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'pagat', idempotencyKey: crypto.randomUUID() });
    const first = await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'a', difference: 5 }, idempotencyKey: crypto.randomUUID() });
    await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner: 'a', difference: 5 }, idempotencyKey: crypto.randomUUID() });
    await gameHandEdit({ db: t.db, gameId, handId: first.handId, entry: { outcome: 'knock', winner: 'b', difference: 5 }, idempotencyKey: crypto.randomUUID() });
    expect(await stored()).toEqual(await replayed());
    const ratings = await ratingListCurrent({ db: t.db, start: 1500 });
    // Bob won the corrected first hand (1484 v 1516); Alice, the outsider, the second.
    expect(ratings.get(alice.id)).toBeCloseTo(1484 + 32 * (1 - 1 / (1 + 10 ** ((1516 - 1484) / 400))), 6);
    await gameVoid({ db: t.db, gameId });
    expect(await t.db('ratings')).toHaveLength(0);
    expect((await ratingListCurrent({ db: t.db, start: 1500 })).get(alice.id)).toBe(1500);
  });
});
