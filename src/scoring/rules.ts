/**
 * Gin Rummy scoring for a single hand. Pure: no I/O, no framework.
 * Values follow the North American rules unless the league configures others.
 */
export const OUTCOMES = ['knock', 'gin', 'big_gin', 'undercut', 'draw'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  knock: 'knock',
  gin: 'gin',
  big_gin: 'big gin',
  undercut: 'undercut',
  draw: 'draw',
};

export interface Rules {
  ginBonus: number;
  bigGinBonus: number;
  undercutBonus: number;
  /** Added once per hand won when totals are ranked (the "box"). */
  lineBonus: number;
}

export const NORTH_AMERICAN: Rules = { ginBonus: 25, bigGinBonus: 31, undercutBonus: 25, lineBonus: 25 };

export const MAX_DEADWOOD = 200;

export const DEADWOOD_MESSAGE = `Enter the deadwood difference as a whole number from 0 to ${MAX_DEADWOOD}.`;

/** Points the winner of a hand scores. A draw scores nothing whatever the deadwood. */
export function handPoints(rules: Rules, outcome: Outcome, deadwoodDifference: number): number {
  if (!Number.isInteger(deadwoodDifference) || deadwoodDifference < 0 || deadwoodDifference > MAX_DEADWOOD) {
    throw new RangeError(`deadwood difference must be a whole number from 0 to ${MAX_DEADWOOD}`);
  }
  switch (outcome) {
    case 'knock':
      return deadwoodDifference;
    case 'gin':
      return rules.ginBonus + deadwoodDifference;
    case 'big_gin':
      return rules.bigGinBonus + deadwoodDifference;
    case 'undercut':
      return rules.undercutBonus + deadwoodDifference;
    case 'draw':
      return 0;
  }
}
