/*
 * A single hand outside a game (a quick hand, an imported one), scored by the one scoring
 * function every way in uses: scoreGameHand with the league's values (quickHandRules).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NORTH_AMERICAN, OUTCOMES, type Outcome, type Rules } from '../../src/scoring/rules.js';
import { quickHandRules, scoreGameHand } from '../../src/scoring/game.js';

function points(rules: Rules, outcome: Outcome, difference: number): number {
  const result = scoreGameHand(quickHandRules(rules), { outcome, winner: 'a', difference });
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.hand.points;
}

describe('a quick hand with North American rules', () => {
  const cases: [Outcome, number, number][] = [
    ['knock', 1, 1],
    ['knock', 12, 12],
    ['gin', 0, 25],
    ['gin', 2, 27],
    ['big_gin', 10, 41],
    ['undercut', 0, 25],
    ['undercut', 7, 32],
    ['draw', 0, 0],
    ['knock', 200, 200],
  ];
  it.each(cases)('%s with a difference of %i scores %i', (outcome, diff, expected) => {
    expect(points(NORTH_AMERICAN, outcome, diff)).toBe(expected);
  });
});

describe('a quick hand with other rule values', () => {
  const pagat: Rules = { ginBonus: 20, bigGinBonus: 0, undercutBonus: 10, lineBonus: 20 };
  it('uses the bonuses it is given', () => {
    expect(points(pagat, 'gin', 5)).toBe(25);
    expect(points(pagat, 'undercut', 5)).toBe(15);
    expect(points(pagat, 'knock', 5)).toBe(5);
  });
});

describe('a quick hand that cannot be', () => {
  it.each([-1, 201, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a difference of %s', (difference) => {
    const result = scoreGameHand(quickHandRules(NORTH_AMERICAN), { outcome: 'knock', winner: 'a', difference });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.deadwood).toMatch(/whole number from 0 to 200/);
  });

  it('refuses a knock of 0 (an undercut)', () => {
    const result = scoreGameHand(quickHandRules(NORTH_AMERICAN), { outcome: 'knock', winner: 'a', difference: 0 });
    expect(result.ok).toBe(false);
  });
});

describe('laws of scoring', () => {
  const rules = fc.record({
    ginBonus: fc.integer({ min: 0, max: 100 }),
    bigGinBonus: fc.integer({ min: 0, max: 100 }),
    undercutBonus: fc.integer({ min: 0, max: 100 }),
    lineBonus: fc.integer({ min: 0, max: 100 }),
  });
  const diff = fc.integer({ min: 1, max: 200 });

  it('every outcome but a draw scores at least the deadwood difference', () => {
    fc.assert(
      fc.property(rules, diff, fc.constantFrom(...OUTCOMES.filter((o) => o !== 'draw')), (r, d, o) => {
        expect(points(r, o, d)).toBeGreaterThanOrEqual(d);
      }),
    );
  });

  it('a bonus outcome is its bonus plus the difference', () => {
    fc.assert(
      fc.property(rules, diff, (r, d) => {
        expect(points(r, 'gin', d) - d).toBe(r.ginBonus);
        expect(points(r, 'big_gin', d) - d).toBe(r.bigGinBonus);
        expect(points(r, 'undercut', d) - d).toBe(r.undercutBonus);
      }),
    );
  });
});
