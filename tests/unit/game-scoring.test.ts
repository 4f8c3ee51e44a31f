import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  gameState,
  nextDealer,
  parseUpcard,
  PRESETS,
  scoreGameHand,
  type HandEntry,
  type ScoredHand,
  type Side,
} from '../../src/scoring/game.js';

const NA = PRESETS.north_american.rules;
const PAGAT = PRESETS.pagat.rules;
const OK = PRESETS.oklahoma.rules;

function scored(rules = NA, entry: HandEntry): ScoredHand {
  const result = scoreGameHand(rules, entry);
  if (!result.ok) throw new Error(`expected a valid hand: ${JSON.stringify(result.errors)}`);
  return result.hand;
}

describe('scoreGameHand: North American', () => {
  const cases: [string, HandEntry, Partial<ScoredHand>][] = [
    ['a knock from both counts', { outcome: 'knock', winner: 'a', deadwoodA: 6, deadwoodB: 18 }, { outcome: 'knock', winner: 'a', points: 12, arithmetic: 'Knock: 18 − 6 = 12' }],
    ['a knock from the difference', { outcome: 'knock', winner: 'b', difference: 9 }, { winner: 'b', points: 9, arithmetic: 'Knock: 9' }],
    ['a gin', { outcome: 'gin', winner: 'b', deadwoodA: 18, deadwoodB: 0 }, { outcome: 'gin', winner: 'b', points: 43, arithmetic: 'Gin: 25 + 18 = 43' }],
    ['a big gin', { outcome: 'big_gin', winner: 'a', deadwoodA: 0, deadwoodB: 40 }, { outcome: 'big_gin', points: 71 }],
    ['an undercut detected on equal counts', { outcome: 'knock', winner: 'a', deadwoodA: 7, deadwoodB: 7 }, { outcome: 'undercut', winner: 'b', points: 25, arithmetic: 'Undercut: 25 + (7 − 7) = 25' }],
    ['an undercut detected on a lower count', { outcome: 'knock', winner: 'a', deadwoodA: 8, deadwoodB: 5 }, { outcome: 'undercut', winner: 'b', points: 28 }],
    ['an undercut entered as such', { outcome: 'undercut', winner: 'b', deadwoodA: 8, deadwoodB: 5 }, { outcome: 'undercut', winner: 'b', points: 28 }],
    ['an undercut from the difference', { outcome: 'undercut', winner: 'a', difference: 3 }, { points: 28, arithmetic: 'Undercut: 25 + 3 = 28' }],
    ['a draw', { outcome: 'draw' }, { outcome: 'draw', winner: null, points: 0, arithmetic: 'Draw: no score' }],
    ["a gin with only the loser's count (the winner's box left blank)", { outcome: 'gin', winner: 'a', deadwoodB: 14 }, { outcome: 'gin', winner: 'a', points: 39, arithmetic: 'Gin: 25 + 14 = 39' }],
    ['a big gin with only the loser\'s count', { outcome: 'big_gin', winner: 'b', deadwoodA: 9 }, { outcome: 'big_gin', winner: 'b', points: 40 }],
    ['counts and a difference that agree', { outcome: 'knock', winner: 'a', deadwoodA: 6, deadwoodB: 18, difference: 12 }, { outcome: 'knock', points: 12 }],
    ['an undercut with equal deadwood, from the difference', { outcome: 'undercut', winner: 'b', difference: 0 }, { outcome: 'undercut', winner: 'b', points: 25 }],
  ];
  it.each(cases)('%s', (_name, entry, expected) => {
    expect(scored(NA, entry)).toMatchObject(expected);
  });
});

describe('scoreGameHand: rules it enforces', () => {
  const rejections: [string, typeof NA, HandEntry, string, RegExp][] = [
    ['gin with deadwood', NA, { outcome: 'gin', winner: 'a', deadwoodA: 3, deadwoodB: 20 }, 'deadwoodA', /Gin means the winner has no deadwood/],
    ['a knock over the knock limit', NA, { outcome: 'knock', winner: 'b', deadwoodA: 30, deadwoodB: 11 }, 'deadwoodB', /10 or less/],
    ['big gin where the preset has none', PAGAT, { outcome: 'big_gin', winner: 'a', difference: 10 }, 'outcome', /no big gin/],
    ['an undercut that is not one', NA, { outcome: 'undercut', winner: 'b', deadwoodA: 5, deadwoodB: 9 }, 'outcome', /not an undercut/],
    ['no winner', NA, { outcome: 'knock', difference: 5 }, 'winner', /who won/],
    ['no deadwood at all', NA, { outcome: 'knock', winner: 'a' }, 'deadwood', /both deadwood counts, or the difference/],
    ['only one count', NA, { outcome: 'knock', winner: 'a', deadwoodA: 4 }, 'deadwoodB', /Enter this count too/],
    ['a knock with a difference of 0', NA, { outcome: 'knock', winner: 'a', difference: 0 }, 'deadwood', /difference of 0 is an undercut.*Choose Undercut/],
    ['counts and a difference that disagree (the difference named)', NA, { outcome: 'knock', winner: 'a', deadwoodA: 6, deadwoodB: 18, difference: 10 }, 'deadwood', /6 and 18 make a difference of 12, not 10/],
    ['counts and a difference that disagree (the counts named)', NA, { outcome: 'knock', winner: 'a', deadwoodA: 6, deadwoodB: 18, difference: 10 }, 'deadwoodA', /Disagrees with the difference \(10\)/],
    ['gin with only the winner\'s count, non-zero', NA, { outcome: 'gin', winner: 'b', deadwoodB: 4 }, 'deadwoodB', /Gin means the winner has no deadwood/],
    ['a difference over 200', NA, { outcome: 'knock', winner: 'a', difference: 201 }, 'deadwood', /0 to 200/],
    ['Oklahoma without an upcard', OK, { outcome: 'knock', winner: 'a', difference: 3 }, 'upcard', /upcard/],
    ['Oklahoma knock over the upcard', OK, { outcome: 'knock', winner: 'a', deadwoodA: 5, deadwoodB: 20, upcard: { rank: '4', suit: 'H' } }, 'deadwoodA', /4 or less/],
    ['Oklahoma knock on an ace', OK, { outcome: 'knock', winner: 'a', difference: 3, upcard: { rank: 'A', suit: 'D' } }, 'outcome', /only be won by gin/],
  ];
  it.each(rejections)('rejects %s', (_name, rules, entry, field, message) => {
    const result = scoreGameHand(rules, entry);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[field as keyof typeof result.errors]).toMatch(message);
  });
});

describe('scoreGameHand: Pagat and Oklahoma', () => {
  it('uses Pagat bonuses', () => {
    expect(scored(PAGAT, { outcome: 'gin', winner: 'a', difference: 10 }).points).toBe(30);
    expect(scored(PAGAT, { outcome: 'undercut', winner: 'a', difference: 2 }).points).toBe(12);
  });
  it('doubles an Oklahoma hand with a spade upcard', () => {
    const hand = scored(OK, { outcome: 'gin', winner: 'a', deadwoodA: 0, deadwoodB: 10, upcard: { rank: 'K', suit: 'S' } });
    expect(hand).toMatchObject({ points: 70, doubled: true, knockLimit: 10 });
    expect(hand.arithmetic).toBe('Gin: 25 + 10 = 35, doubled by the spade upcard = 70');
  });
  it('lets the upcard set the knock limit', () => {
    expect(scored(OK, { outcome: 'knock', winner: 'a', deadwoodA: 7, deadwoodB: 20, upcard: { rank: '7', suit: 'C' } })).toMatchObject({ points: 13, knockLimit: 7, doubled: false });
  });
  it('allows gin on an ace upcard', () => {
    expect(scored(OK, { outcome: 'gin', winner: 'b', deadwoodA: 12, deadwoodB: 0, upcard: { rank: 'A', suit: 'H' } }).points).toBe(37);
  });
  it('reads upcards', () => {
    expect(parseUpcard('10S')).toEqual({ rank: '10', suit: 'S' });
    expect(parseUpcard('AH')).toEqual({ rank: 'A', suit: 'H' });
    expect(parseUpcard('1S')).toBeNull();
    expect(parseUpcard('KX')).toBeNull();
  });
});

const win = (winner: Side, points: number) => ({ winner, points });

describe('final totals, worked out by hand', () => {
  // [rules, hands as [winner, points], expected totals a and b, shutout]
  const table: [string, typeof NA, [Side, number][], { a: number; b: number }, boolean][] = [
    // 105 hand points doubled for the shutout (210) + game 100 + two boxes of 25.
    ['North American, a shutout', NA, [['a', 60], ['a', 45]], { a: 360, b: 0 }, true],
    // Bob won a hand: no shutout. Alice 105 + 100 + 50; Bob 10 + one box.
    ['North American, no shutout', NA, [['b', 10], ['a', 60], ['a', 45]], { a: 255, b: 35 }, false],
    // Pagat: no doubling, the game bonus is 200 for a shutout. 105 + 200 + two boxes of 20.
    ['Pagat, a shutout', PAGAT, [['a', 60], ['a', 45]], { a: 345, b: 0 }, true],
    ['Pagat, no shutout', PAGAT, [['b', 5], ['a', 100]], { a: 220, b: 25 }, false],
    // Oklahoma plays to 150.
    ['Oklahoma, not over at 105', OK, [['a', 60], ['a', 45]], { a: NaN, b: NaN }, false],
  ];
  it.each(table)('%s', (_name, rules, hands, totals, shutout) => {
    const state = gameState(rules, hands.map(([winner, points]) => ({ winner, points })));
    if (Number.isNaN(totals.a)) {
      expect(state.final).toBeNull();
      return;
    }
    expect({ a: state.final?.a.total, b: state.final?.b.total }).toEqual(totals);
    expect(state.shutout).toBe(shutout);
  });
});

describe('gameState', () => {
  it('keeps going below the target', () => {
    const state = gameState(NA, [win('a', 40), win('b', 38), { winner: null, points: 0 }, win('a', 24)]);
    expect(state).toMatchObject({ winner: null, endedAtHand: null, final: null, totals: { a: { handPoints: 64, handsWon: 2 }, b: { handPoints: 38, handsWon: 1 } } });
  });

  it('ends when a player reaches the target, with game and line bonuses', () => {
    const state = gameState(NA, [win('a', 40), win('b', 38), win('a', 60)]);
    expect(state.winner).toBe('a');
    expect(state.endedAtHand).toBe(2);
    expect(state.shutout).toBe(false);
    expect(state.final).toEqual({
      a: { handPoints: 100, scoredPoints: 100, gameBonus: 100, lineBonus: 50, total: 250 },
      b: { handPoints: 38, scoredPoints: 38, gameBonus: 0, lineBonus: 25, total: 63 },
    });
    expect(state.margin).toBe(187);
  });

  it('doubles the hand points of a North American shutout before the line bonus', () => {
    const state = gameState(NA, [win('b', 55), { winner: null, points: 0 }, win('b', 50)]);
    expect(state.shutout).toBe(true);
    expect(state.final?.b).toEqual({ handPoints: 105, scoredPoints: 210, gameBonus: 100, lineBonus: 50, total: 360 });
    expect(state.final?.a.total).toBe(0);
  });

  it('gives Pagat\'s 200 game bonus when the loser scored nothing', () => {
    const shutout = gameState(PAGAT, [win('a', 60), win('a', 45)]);
    expect(shutout.final?.a).toEqual({ handPoints: 105, scoredPoints: 105, gameBonus: 200, lineBonus: 40, total: 345 });
    const normal = gameState(PAGAT, [win('b', 5), win('a', 100)]);
    expect(normal.final?.a.gameBonus).toBe(100);
  });

  it('uses Oklahoma\'s target of 150', () => {
    expect(gameState(OK, [win('a', 120)]).winner).toBeNull();
    expect(gameState(OK, [win('a', 120), win('a', 30)]).winner).toBe('a');
  });
});

describe('nextDealer', () => {
  it('is the loser of the previous hand, and the same dealer after a draw', () => {
    expect(nextDealer('a', [])).toBe('a');
    expect(nextDealer('a', [{ winner: 'a' }])).toBe('b');
    expect(nextDealer('a', [{ winner: 'b' }])).toBe('a');
    expect(nextDealer('b', [{ winner: 'b' }, { winner: null }])).toBe('a');
  });
});

describe('laws of a game', () => {
  const hand = fc.record({
    winner: fc.constantFrom<Side | null>('a', 'b', null),
    points: fc.integer({ min: 0, max: 80 }),
  }).map((h) => (h.winner ? h : { winner: null, points: 0 }));
  const rules = fc.constantFrom(NA, PAGAT, OK);

  it('a finished game\'s total is the sum of its hands plus its bonuses', () => {
    fc.assert(
      fc.property(rules, fc.array(hand, { maxLength: 40 }), (r, hands) => {
        const state = gameState(r, hands);
        if (!state.final || state.endedAtHand === null || !state.winner) return;
        const played = hands.slice(0, state.endedAtHand + 1);
        for (const side of ['a', 'b'] as const) {
          const own = played.filter((h) => h.winner === side);
          const sum = own.reduce((n, h) => n + h.points, 0);
          // The shutout is decided here from the rules' own words, not taken from gameState:
          // North American, the loser won no hand; Pagat, the loser scored no points.
          const loserHands = played.filter((h) => h.winner !== null && h.winner !== state.winner);
          const shutout = r.shutoutDoubles ? loserHands.length === 0 : loserHands.reduce((n, h) => n + h.points, 0) === 0;
          const doubled = side === state.winner && shutout && r.shutoutDoubles ? 2 : 1;
          const gameBonus = side === state.winner ? (shutout && r.shutoutGameBonus !== null ? r.shutoutGameBonus : r.gameBonus) : 0;
          expect(state.final[side].total).toBe(sum * doubled + gameBonus + r.lineBonus * own.length);
        }
      }),
    );
  });

  it('the winner is the first to reach the target', () => {
    fc.assert(
      fc.property(rules, fc.array(hand, { maxLength: 40 }), (r, hands) => {
        const state = gameState(r, hands);
        const running = { a: 0, b: 0 };
        let first: Side | null = null;
        for (const h of hands) {
          if (!h.winner) continue;
          running[h.winner] += h.points;
          if (running[h.winner] >= r.target) {
            first = h.winner;
            break;
          }
        }
        expect(state.winner).toBe(first);
        if (state.winner) expect(state.totals[state.winner].handPoints).toBeGreaterThanOrEqual(r.target);
        if (state.winner) expect(state.totals[state.winner === 'a' ? 'b' : 'a'].handPoints).toBeLessThan(r.target);
      }),
    );
  });

  it('a valid hand never scores less than its deadwood difference', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'knock' | 'gin' | 'big_gin' | 'undercut'>('knock', 'gin', 'big_gin', 'undercut'),
        fc.constantFrom<Side>('a', 'b'),
        fc.integer({ min: 0, max: 200 }),
        (outcome, winner, difference) => {
          fc.pre(!(outcome === 'knock' && difference === 0)); // an undercut, refused as a knock
          const result = scoreGameHand(NA, { outcome, winner, difference });
          expect(result.ok).toBe(true);
          if (result.ok) expect(result.hand.points).toBeGreaterThanOrEqual(difference);
        },
      ),
    );
  });
});
