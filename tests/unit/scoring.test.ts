import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { handPoints, NORTH_AMERICAN, OUTCOMES, type Outcome, type Rules } from '../../src/scoring/rules.js';

describe('handPoints with North American rules', () => {
  const cases: [Outcome, number, number][] = [
    ['knock', 0, 0],
    ['knock', 12, 12],
    ['gin', 0, 25],
    ['gin', 2, 27],
    ['big_gin', 10, 41],
    ['undercut', 7, 32],
    ['draw', 0, 0],
    ['draw', 50, 0],
    ['knock', 200, 200],
  ];
  it.each(cases)('%s with a difference of %i scores %i', (outcome, diff, expected) => {
    expect(handPoints(NORTH_AMERICAN, outcome, diff)).toBe(expected);
  });
});

describe('handPoints with other rule values', () => {
  const pagat: Rules = { ginBonus: 20, bigGinBonus: 0, undercutBonus: 10, lineBonus: 20 };
  it('uses the bonuses it is given', () => {
    expect(handPoints(pagat, 'gin', 5)).toBe(25);
    expect(handPoints(pagat, 'undercut', 5)).toBe(15);
    expect(handPoints(pagat, 'knock', 5)).toBe(5);
  });
});

describe('handPoints rejects impossible differences', () => {
  it.each([-1, 201, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s', (diff) => {
    expect(() => handPoints(NORTH_AMERICAN, 'knock', diff)).toThrow(RangeError);
  });
});

describe('laws of scoring', () => {
  const rules = fc.record({
    ginBonus: fc.integer({ min: 0, max: 100 }),
    bigGinBonus: fc.integer({ min: 0, max: 100 }),
    undercutBonus: fc.integer({ min: 0, max: 100 }),
    lineBonus: fc.integer({ min: 0, max: 100 }),
  });
  const diff = fc.integer({ min: 0, max: 200 });

  it('every outcome but a draw scores at least the deadwood difference', () => {
    fc.assert(
      fc.property(rules, diff, fc.constantFrom(...OUTCOMES.filter((o) => o !== 'draw')), (r, d, o) => {
        expect(handPoints(r, o, d)).toBeGreaterThanOrEqual(d);
      }),
    );
  });

  it('a bonus outcome is its bonus plus the difference', () => {
    fc.assert(
      fc.property(rules, diff, (r, d) => {
        expect(handPoints(r, 'gin', d) - d).toBe(r.ginBonus);
        expect(handPoints(r, 'big_gin', d) - d).toBe(r.bigGinBonus);
        expect(handPoints(r, 'undercut', d) - d).toBe(r.undercutBonus);
      }),
    );
  });
});
