import { beforeEach, describe, expect, it } from 'vitest';
import { handVoid } from '../../src/hands/services.js';
import { headToHeadGet, headToHeadLeadByDay, playerPointsByDay, playerStatsGet, recordsGet } from '../../src/stats/selectors.js';
import { useTestDb } from '../support/db.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();
const UTC = 'UTC';
const october = { kind: 'month', year: 2026, month: 10 } as const;
let ids: { alice: number; bob: number; carol: number };

// Alice v Bob, in order: A knock 10, A gin 30, A knock 7 (a streak across months), a draw,
// B undercut 27, A big gin 51, A knock 3 (voided), then A beats Carol (knock 4), Carol beats Bob.
beforeEach(async () => {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const carol = await makePlayer(t.db, 'Carol');
  ids = { alice: alice.id, bob: bob.id, carol: carol.id };
  const ab = { playerAId: alice.id, playerBId: bob.id };
  const at = (day: string, hour = 20) => new Date(`${day}T${hour}:00:00Z`);
  await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'a', deadwood: 10, playedAt: at('2026-09-28') });
  await makeHand(t.db, { ...ab, outcome: 'gin', winner: 'a', deadwood: 5, playedAt: at('2026-09-30') });
  await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'a', deadwood: 7, playedAt: at('2026-10-02') });
  await makeHand(t.db, { ...ab, outcome: 'draw', playedAt: at('2026-10-03') });
  await makeHand(t.db, { ...ab, outcome: 'undercut', winner: 'b', deadwood: 2, playedAt: at('2026-10-05') });
  await makeHand(t.db, { ...ab, outcome: 'big_gin', winner: 'a', deadwood: 20, playedAt: at('2026-10-06') });
  const voided = await makeHand(t.db, { ...ab, outcome: 'knock', winner: 'a', deadwood: 3, playedAt: at('2026-10-07') });
  await handVoid({ db: t.db, id: voided.id });
  await makeHand(t.db, { playerAId: carol.id, playerBId: alice.id, outcome: 'knock', winner: 'b', deadwood: 4, playedAt: at('2026-10-08') });
  await makeHand(t.db, { playerAId: carol.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 6, playedAt: at('2026-10-08', 21) });
});

describe('playerStatsGet', () => {
  it('counts, rates, streaks across months and form, without the voided hand', async () => {
    const s = await playerStatsGet({ db: t.db, playerId: ids.alice, timeZone: UTC });
    expect(s).toMatchObject({
      name: 'Alice',
      played: 7,
      won: 5,
      drawn: 1,
      winPercent: 71,
      byOutcome: { knock: { count: 3, rate: 60 }, gin: { count: 1, rate: 20 }, big_gin: { count: 1, rate: 20 }, undercut: { count: 0, rate: 0 } },
      biggestHand: 51,
      averageWin: 20.4,
      longestStreak: 3,
      currentStreak: 2,
    });
    expect(s?.form.map((f) => `${f.result}${f.points} ${f.opponent}`)).toEqual(['W4 Carol', 'W51 Bob', 'L27 Bob', 'D0 Bob', 'W7 Bob', 'W30 Bob', 'W10 Bob']);
  });

  it('limits everything to the period', async () => {
    const s = await playerStatsGet({ db: t.db, playerId: ids.alice, timeZone: UTC, period: october });
    expect(s).toMatchObject({ played: 5, won: 3, longestStreak: 2, currentStreak: 2, biggestHand: 51 });
    const empty = await playerStatsGet({ db: t.db, playerId: ids.alice, timeZone: UTC, period: { kind: 'year', year: 2020 } });
    expect(empty).toMatchObject({ played: 0, won: 0, winPercent: null, biggestHand: null, averageWin: null, longestStreak: 0, currentStreak: 0, form: [] });
  });

  it('adds up points day by day', async () => {
    const days = await playerPointsByDay({ db: t.db, playerId: ids.alice, timeZone: UTC });
    expect(days.map((d) => [d.day, d.value])).toEqual([
      ['2026-09-28', 10], ['2026-09-30', 40], ['2026-10-02', 47], ['2026-10-03', 47], ['2026-10-05', 47], ['2026-10-06', 98], ['2026-10-08', 102],
    ]);
  });

  it('knows no stranger', async () => {
    expect(await playerStatsGet({ db: t.db, playerId: 99999, timeZone: UTC })).toBeUndefined();
  });
});

describe('headToHeadGet', () => {
  it('gives the record all time and per month, streaks and biggest hands', async () => {
    const h = await headToHeadGet({ db: t.db, a: ids.alice, b: ids.bob, timeZone: UTC });
    expect(h).toMatchObject({ played: 6, wins: { a: 4, b: 1 }, draws: 1, points: { a: 98, b: 27 }, longestStreak: { a: 3, b: 1 } });
    expect(h?.months).toEqual([
      { month: '2026-10', winsA: 2, winsB: 1, draws: 1, pointsA: 58, pointsB: 27 },
      { month: '2026-09', winsA: 2, winsB: 0, draws: 0, pointsA: 40, pointsB: 0 },
    ]);
    expect(h?.biggest.map((x) => [x.points, x.winner])).toEqual([[51, 'Alice'], [30, 'Alice'], [27, 'Bob'], [10, 'Alice'], [7, 'Alice']]);
    const reversed = await headToHeadGet({ db: t.db, a: ids.bob, b: ids.alice, timeZone: UTC });
    expect(reversed?.wins).toEqual({ a: 1, b: 4 });
  });

  it('runs the lead day by day', async () => {
    const lead = await headToHeadLeadByDay({ db: t.db, a: ids.alice, b: ids.bob, timeZone: UTC });
    expect(lead.map((d) => d.value)).toEqual([10, 40, 47, 47, 20, 71]);
    const october10 = await headToHeadLeadByDay({ db: t.db, a: ids.alice, b: ids.bob, timeZone: UTC, period: october });
    expect(october10.map((d) => d.value)).toEqual([7, 7, -20, 31]);
  });

  it('is undefined for a player against themselves or a stranger', async () => {
    expect(await headToHeadGet({ db: t.db, a: ids.alice, b: ids.alice, timeZone: UTC })).toBeUndefined();
    expect(await headToHeadGet({ db: t.db, a: ids.alice, b: 424242, timeZone: UTC })).toBeUndefined();
  });
});

describe('recordsGet', () => {
  it('names each record holder, the earliest on a tie', async () => {
    const records = await recordsGet({ db: t.db, timeZone: UTC });
    expect(records.map((r) => [r.title, r.holder, r.value, r.detail])).toEqual([
      ['Biggest hand', 'Alice', 51, '2026-10-06'],
      ['Most gins in a month', 'Alice', 1, '2026-09'],
      ['Longest winning streak', 'Alice', 3, '2026-10-02'],
      ['Most hands in a day', 'Carol', 2, '2026-10-08'],
    ]);
  });
});
