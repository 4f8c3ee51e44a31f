import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eloReplay, eloUpdate, expectedScore } from '../../src/scoring/elo.js';

describe('Elo', () => {
  // Worked examples as published (Wikipedia, "Elo rating system"; and the FIDE handbook's table).
  it('expects 0.76 for a player 200 points stronger', () => {
    expect(expectedScore(1700, 1500)).toBeCloseTo(0.7597, 4);
    expect(expectedScore(1500, 1700)).toBeCloseTo(0.2403, 4);
  });

  it('gives even players half a chance, and K/2 to the winner', () => {
    expect(expectedScore(1500, 1500)).toBe(0.5);
    expect(eloUpdate(32, 1500, 1500, 1)).toEqual([1516, 1484]);
  });

  it('matches the classic example: 1613 against 1609 and 1477', () => {
    // Player A (1613) expected 0.506 against 1609 and 0.686 against 1477.
    expect(expectedScore(1613, 1609)).toBeCloseTo(0.506, 3);
    expect(expectedScore(1613, 1477)).toBeCloseTo(0.686, 3);
  });

  it('moves little when the favourite wins and much when the outsider does', () => {
    const [fav] = eloUpdate(32, 1700, 1500, 1);
    const [, outsider] = eloUpdate(32, 1700, 1500, 0);
    expect(fav - 1700).toBeCloseTo(7.69, 2);
    expect(outsider - 1500).toBeCloseTo(24.31, 2);
  });

  it('keeps the total of ratings constant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 800, max: 2400 }), fc.integer({ min: 800, max: 2400 }), fc.constantFrom<0 | 0.5 | 1>(0, 0.5, 1), (a, b, s) => {
        const [a2, b2] = eloUpdate(32, a, b, s);
        expect(a2 + b2).toBeCloseTo(a + b, 9);
      }),
    );
  });

  it('replays results in order from the starting ratings', () => {
    const steps = eloReplay({ start: 1500, k: 32 }, new Map(), [
      { handId: 1, playerAId: 1, playerBId: 2, winnerId: 1 },
      { handId: 2, playerAId: 2, playerBId: 1, winnerId: null },
    ]);
    expect(steps[0]).toEqual({ handId: 1, playerId: 1, before: 1500, after: 1516 });
    expect(steps[1]).toEqual({ handId: 1, playerId: 2, before: 1500, after: 1484 });
    expect(steps[2]?.before).toBe(1484);
    expect(steps[2]?.after).toBeCloseTo(1484 + 32 * (0.5 - expectedScore(1484, 1516)), 9);
  });
});
