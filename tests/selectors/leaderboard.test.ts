import { describe, expect, it } from 'vitest';
import { hallOfFameList, leaderboardGet, monthListActive } from '../../src/leaderboard/selectors.js';
import { handFormGet, handListRecent } from '../../src/hands/selectors.js';
import crypto from 'node:crypto';
import { gameHandRecord, gameStart } from '../../src/games/services.js';
import { useTestDb } from '../support/db.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();
const UTC = 'UTC';
const noGames = { gamesPlayed: 0, gamesWon: 0, gamePoints: 0 };

describe('leaderboardGet', () => {
  it('lists every player, even before any hand, with zeros', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const rows = await leaderboardGet({ db: t.db, timeZone: UTC });
    expect(rows.map((r) => [r.name, r.played, r.won, r.winPercent, r.points, r.total])).toEqual([
      ['Alice', 0, 0, null, 0, 0],
      ['Bob', 0, 0, null, 0, 0],
    ]);
  });

  it('puts players who have not played yet after those who have, on a tie', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Aaron');
    const zed = await makePlayer(t.db, 'Zed');
    await makeHand(t.db, { playerAId: alice.id, playerBId: zed.id, outcome: 'knock', winner: 'a', deadwood: 12 });
    const rows = await leaderboardGet({ db: t.db, timeZone: UTC });
    // Zed lost his only hand (total 0) and Aaron never played (total 0): Zed first.
    expect(rows.map((r) => [r.name, r.total])).toEqual([
      ['Alice', 37],
      ['Zed', 0],
      ['Aaron', 0],
    ]);
  });

  it('ranks by points plus the line bonus per hand won', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    const ab = { playerAId: alice.id, playerBId: bob.id };
    // Alice: gin 27 (25+2) and a knock of 5 -> points 32, won 2, total 32 + 50 = 82
    await makeHand(t.db, { ...ab, outcome: 'gin', winner: 'a', deadwood: 2 });
    await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'a', deadwood: 5 });
    // Bob: one big knock of 60 -> points 60, won 1, total 85: more points wins despite fewer hands
    await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'b', deadwood: 60 });
    // A draw counts as played for both, won by nobody
    await makeHand(t.db, { ...ab, outcome: 'draw' });
    // Carol beats Bob once on an undercut: 25 + 3 = 28, total 53
    await makeHand(t.db, { playerAId: bob.id, playerBId: carol.id, outcome: 'undercut', winner: 'b', deadwood: 3 });

    const rows = await leaderboardGet({ db: t.db, timeZone: UTC });
    expect(rows).toEqual([
      { playerId: bob.id, name: 'Bob', played: 5, won: 1, winPercent: 20, points: 60, total: 85, ...noGames },
      { playerId: alice.id, name: 'Alice', played: 4, won: 2, winPercent: 50, points: 32, total: 82, ...noGames },
      { playerId: carol.id, name: 'Carol', played: 1, won: 1, winPercent: 100, points: 28, total: 53, ...noGames },
    ]);
  });

  it('adds the line bonus each hand was scored with, not today\'s', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const rules = { ginBonus: 20, bigGinBonus: 31, undercutBonus: 10, lineBonus: 20 };
    await makeHand(t.db, { rules, playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 10 });
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 10 });
    const [top] = await leaderboardGet({ db: t.db, timeZone: UTC });
    expect(top).toMatchObject({ name: 'Alice', points: 20, total: 20 + 20 + 25 });
  });

  it('limits a month view to that month in the league\'s time zone', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    const ab = { playerAId: alice.id, playerBId: bob.id };
    // 23:30 on 31 October in New York is already November in UTC.
    await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'a', deadwood: 10, playedAt: new Date('2026-11-01T03:30:00Z') });
    await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'b', deadwood: 7, playedAt: new Date('2026-11-15T20:00:00Z') });
    await makeHand(t.db, { playerAId: carol.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 0, playedAt: new Date('2026-12-01T12:00:00Z') });

    const utcNov = await leaderboardGet({ db: t.db, timeZone: UTC, period: { kind: 'month', year: 2026, month: 11 } });
    expect(utcNov.map((r) => [r.name, r.played, r.won, r.total])).toEqual([
      ['Alice', 2, 1, 35],
      ['Bob', 2, 1, 32],
    ]);
    const nyNov = await leaderboardGet({ db: t.db, timeZone: 'America/New_York', period: { kind: 'month', year: 2026, month: 11 } });
    expect(nyNov.map((r) => [r.name, r.played, r.won, r.total])).toEqual([['Bob', 1, 1, 32], ['Alice', 1, 0, 0]]);
    const nyOct = await leaderboardGet({ db: t.db, timeZone: 'America/New_York', period: { kind: 'month', year: 2026, month: 10 } });
    expect(nyOct.map((r) => r.name)).toEqual(['Alice', 'Bob']);
    expect(await monthListActive({ db: t.db, timeZone: UTC })).toEqual(['2026-12', '2026-11']);
  });
});

describe('leaderboardGet with games', () => {
  it('adds games played and won, and the margins of games won, counting game hands as hands', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    const start = (a: number, b: number) =>
      gameStart({ db: t.db, playerAId: a, playerBId: b, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    const hand = (gameId: number, winner: 'a' | 'b', difference: number) =>
      gameHandRecord({ db: t.db, gameId, entry: { outcome: 'knock', winner, difference }, idempotencyKey: crypto.randomUUID() });
    // Game 1: Alice 100 (2 boxes) beats Bob 30 (1 box): 100+100+50 = 250 v 30+25 = 55 -> margin 195
    const g1 = (await start(alice.id, bob.id)).id;
    await hand(g1, 'a', 50);
    await hand(g1, 'b', 30);
    await hand(g1, 'a', 50);
    // Game 2: unfinished, Bob leads Carol; counts for hands, not games
    const g2 = (await start(bob.id, carol.id)).id;
    await hand(g2, 'a', 20);

    const rows = await leaderboardGet({ db: t.db, timeZone: UTC });
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.Alice).toMatchObject({ played: 3, won: 2, points: 100, gamesPlayed: 1, gamesWon: 1, gamePoints: 195 });
    expect(byName.Bob).toMatchObject({ played: 4, won: 2, points: 50, gamesPlayed: 1, gamesWon: 0, gamePoints: 0 });
    expect(byName.Carol).toMatchObject({ played: 1, won: 0, gamesPlayed: 0 });
  });
});

describe('hallOfFameList', () => {
  it('names the champion of each finished month with the lead over second place', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const ab = { playerAId: alice.id, playerBId: bob.id };
    // September: Alice 10+25 = 35, Bob 4+25 = 29 -> Alice by 6
    await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'a', deadwood: 10, playedAt: new Date('2026-09-03T20:00:00Z') });
    await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'b', deadwood: 4, playedAt: new Date('2026-09-20T20:00:00Z') });
    // October: Bob gin 25+5+25 = 55, Alice nothing -> Bob by 55
    await makeHand(t.db, { ...ab, outcome: 'gin', winner: 'b', deadwood: 5, playedAt: new Date('2026-10-10T20:00:00Z') });
    // November is the current month: not in the hall of fame yet.
    await makeHand(t.db, { ...ab, outcome: 'gin', winner: 'a', deadwood: 50, playedAt: new Date('2026-11-02T20:00:00Z') });

    const rows = await hallOfFameList({ db: t.db, timeZone: UTC, now: new Date('2026-11-23T12:00:00Z') });
    expect(rows).toEqual([
      { month: '2026-10', playerId: bob.id, name: 'Bob', played: 1, won: 1, total: 55, lead: 55 },
      { month: '2026-09', playerId: alice.id, name: 'Alice', played: 2, won: 1, total: 35, lead: 6 },
    ]);
  });

  it('is empty before the first month is over', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 3, playedAt: new Date('2026-11-02T20:00:00Z') });
    expect(await hallOfFameList({ db: t.db, timeZone: UTC, now: new Date('2026-11-23T12:00:00Z') })).toEqual([]);
  });
});

describe('handListRecent and handFormGet', () => {
  it('shows the newest hands first, at most the limit, and preselects the last pair', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    for (let i = 0; i < 12; i++) {
      await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: i + 1, playedAt: new Date(Date.UTC(2026, 10, 1, 12, i)) });
    }
    await makeHand(t.db, { playerAId: carol.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 1, playedAt: new Date(Date.UTC(2026, 10, 2)) });
    const recent = await handListRecent({ db: t.db, limit: 10 });
    expect(recent).toHaveLength(10);
    expect(recent[0]).toMatchObject({ winner: 'Carol', playerA: 'Carol', playerB: 'Bob', outcome: 'gin', points: 26 });
    expect(recent[0]?.playedAt).toBeInstanceOf(Date);
    expect(recent.slice(1).map((h) => h.deadwood)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4]);
    expect((await handFormGet({ db: t.db })).lastPair).toEqual({ playerAId: carol.id, playerBId: bob.id });
  });
});
