import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leaderboardPageGet } from '../../src/leaderboard/selectors.js';
import { gameListPage, gameHandFormValues, gameRulesFormValues, type ActiveGame, type GameHandView } from '../../src/games/selectors.js';
import { handFormGet, handFormPair } from '../../src/hands/selectors.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';
import { PRESETS } from '../../src/scoring/game.js';
import { ALL_TIME } from '../../src/core/period.js';
import { useTestDb } from '../support/db.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();
const NOW = new Date('2026-11-20T12:00:00Z');
const page = (order: 'total' | 'rating', memo?: Parameters<typeof leaderboardPageGet>[0]['memo']) =>
  leaderboardPageGet({ db: t.db, timeZone: 'UTC', period: ALL_TIME, order, now: NOW, eloStart: 1500, staleDays: 14, ...(memo ? { memo } : {}) });

describe('leaderboardPageGet', () => {
  it('orders by total, or by rating with those who have not played last and a tie by name', async () => {
    const dan = await makePlayer(t.db, 'Dan');
    const zoe = await makePlayer(t.db, 'Zoe');
    const bob = await makePlayer(t.db, 'Bob');
    await makePlayer(t.db, 'Aaron');
    await makeHand(t.db, { playerAId: zoe.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 20 });

    const byTotal = await page('total');
    expect(byTotal.byRating).toBe(false);
    expect(byTotal.standings.map((s) => s.name)).toEqual(['Zoe', 'Bob', 'Aaron', 'Dan']);

    const byRating = await page('rating');
    expect(byRating.byRating).toBe(true);
    // Bob, below the starting rating, still comes before Aaron and Dan, who have not played (1500 each; by name).
    expect(byRating.standings.map((s) => s.name)).toEqual(['Zoe', 'Bob', 'Aaron', 'Dan']);
    const rating = Object.fromEntries(byRating.standings.map((s) => [s.name, s.rating]));
    expect(rating.Zoe).toBeGreaterThan(1500);
    expect(rating.Bob).toBeLessThan(1500);
    expect([rating.Aaron, rating.Dan]).toEqual([1500, 1500]);
    expect(dan.id).toBeLessThan(zoe.id);
  });

  it('lists finished games by games won; the three latest unfinished games and the counts', async () => {
    const [alice, bob, carol] = [await makePlayer(t.db, 'Alice'), await makePlayer(t.db, 'Bob'), await makePlayer(t.db, 'Carol')];
    const start = (a: number, b: number) =>
      gameStart({ db: t.db, playerAId: a, playerBId: b, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    const hand = (gameId: number, winner: 'a' | 'b', difference: number) =>
      gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner, difference }, idempotencyKey: crypto.randomUUID() });
    // Carol wins one game by a big margin; Bob wins two.
    await hand((await start(carol.id, alice.id)).id, 'a', 100);
    await hand((await start(bob.id, alice.id)).id, 'a', 100);
    await hand((await start(bob.id, carol.id)).id, 'a', 100);
    for (let i = 0; i < 4; i++) await start(alice.id, bob.id);

    const home = await page('total');
    expect(home.gameStandings.map((s) => [s.name, s.gamesWon])).toEqual([
      ['Bob', 2],
      ['Carol', 1],
      ['Alice', 0],
    ]);
    expect(home.activeGames).toHaveLength(3);
    expect(home.activeCount).toBe(4);
    expect(home.staleCount).toBe(0);
  });

  it('reads through the memo it is given, and shapes afresh each time', async () => {
    await makePlayer(t.db, 'Alice');
    let loads = 0;
    let kept: Promise<unknown> | undefined;
    const memo = <T,>(load: () => Promise<T>): Promise<T> => {
      if (!kept) {
        loads++;
        kept = load();
      }
      return kept as Promise<T>;
    };
    await page('total', memo);
    await makePlayer(t.db, 'Bob');
    const second = await page('rating', memo);
    expect(loads).toBe(1);
    expect(second.standings.map((s) => s.name)).toEqual(['Alice']);
    expect(second.byRating).toBe(true);
  });
});

describe('form values shaped by selectors', () => {
  it('preselects the pair of the last hand, else the first two players, else nobody', async () => {
    expect(handFormPair(await handFormGet({ db: t.db }))).toEqual({ playerA: '', playerB: '' });
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    expect(handFormPair(await handFormGet({ db: t.db }))).toEqual({ playerA: String(alice.id), playerB: String(bob.id) });
    await makeHand(t.db, { playerAId: carol.id, playerBId: alice.id, outcome: 'knock', winner: 'a', deadwood: 4 });
    expect(handFormPair(await handFormGet({ db: t.db }))).toEqual({ playerA: String(carol.id), playerB: String(alice.id) });
  });

  it("shows a game's rules and a recorded hand as their forms' strings", () => {
    expect(gameRulesFormValues({ ...PRESETS.pagat.rules, bigGinBonus: null })).toMatchObject({ bigGinBonus: '', target: String(PRESETS.pagat.rules.target) });
    const hand = { outcome: 'knock', winner: 'b', deadwoodA: null, deadwoodB: null, deadwood: 7, upcard: '10H' } as GameHandView;
    expect(gameHandFormValues(hand)).toEqual({ outcome: 'knock', winner: 'b', deadwoodA: '', deadwoodB: '', deadwood: '7', upcardRank: '10', upcardSuit: 'H' });
  });

  it('splits unfinished games into fresh and stale by the time given', () => {
    const game = (id: number, daysAgo: number): ActiveGame => ({
      id,
      nameA: 'A',
      nameB: 'B',
      pointsA: 0,
      pointsB: 0,
      target: 100,
      lastPlayed: new Date(NOW.getTime() - daysAgo * 24 * 60 * 60 * 1000),
    });
    const listed = gameListPage([game(1, 0), game(2, 13.9), game(3, 14), game(4, 30)], { now: NOW, staleDays: 14 });
    expect(listed.fresh.map((g) => g.id)).toEqual([1, 2]);
    expect(listed.stale.map((g) => [g.id, g.idleDays])).toEqual([
      [3, 14],
      [4, 30],
    ]);
    expect(listed.staleDays).toBe(14);
  });
});
