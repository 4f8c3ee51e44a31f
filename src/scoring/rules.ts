/**
 * The outcomes of a hand, their labels and the rule values a league plays by. Pure: no I/O.
 * A hand is scored by scoreGameHand (./game.ts), whatever way it comes in.
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
