/**
 * A game of Gin Rummy: hands between two players until one reaches the target, scored by
 * a rule preset. Pure: no I/O, no framework. Sides are 'a' and 'b' (the game's two seats).
 */
import { MAX_DEADWOOD, OUTCOME_LABELS, type Outcome, type Rules } from './rules.js';

export type Side = 'a' | 'b';
export const other = (side: Side): Side => (side === 'a' ? 'b' : 'a');

export const PRESET_NAMES = ['north_american', 'pagat', 'oklahoma'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface GameRules {
  ginBonus: number;
  /** null: the preset has no big gin. */
  bigGinBonus: number | null;
  undercutBonus: number;
  /** Per hand won, added at the end of the game (the "box"). */
  lineBonus: number;
  gameBonus: number;
  /** Game bonus instead of gameBonus when the loser scored no points (Pagat); null: none. */
  shutoutGameBonus: number | null;
  /** North American: when the loser won no hand, the winner's hand points are doubled. */
  shutoutDoubles: boolean;
  target: number;
  /** Highest deadwood a player may knock with (Oklahoma: the upcard decides). */
  knockLimit: number;
  /** Oklahoma: the upcard sets the knock limit, and a spade upcard doubles the hand. */
  oklahoma: boolean;
}

export const PRESETS: Record<PresetName, { label: string; rules: GameRules }> = {
  north_american: {
    label: 'North American',
    rules: {
      ginBonus: 25, bigGinBonus: 31, undercutBonus: 25, lineBonus: 25, gameBonus: 100,
      shutoutGameBonus: null, shutoutDoubles: true, target: 100, knockLimit: 10, oklahoma: false,
    },
  },
  pagat: {
    label: 'Pagat',
    rules: {
      ginBonus: 20, bigGinBonus: null, undercutBonus: 10, lineBonus: 20, gameBonus: 100,
      shutoutGameBonus: 200, shutoutDoubles: false, target: 100, knockLimit: 10, oklahoma: false,
    },
  },
  oklahoma: {
    label: 'Oklahoma',
    rules: {
      ginBonus: 25, bigGinBonus: 31, undercutBonus: 25, lineBonus: 25, gameBonus: 100,
      shutoutGameBonus: null, shutoutDoubles: true, target: 150, knockLimit: 10, oklahoma: true,
    },
  },
};

export const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'] as const;
export const SUITS = ['S', 'H', 'D', 'C'] as const;
export type Rank = (typeof RANKS)[number];
export type Suit = (typeof SUITS)[number];
export const SUIT_NAMES: Record<Suit, string> = { S: 'spades', H: 'hearts', D: 'diamonds', C: 'clubs' };

export interface Upcard {
  rank: Rank;
  suit: Suit;
}

export const upcardValue = (card: Upcard): number =>
  card.rank === 'A' ? 1 : ['J', 'Q', 'K'].includes(card.rank) ? 10 : Number(card.rank);

export const upcardText = (card: Upcard): string => `${card.rank}${card.suit}`;

export function parseUpcard(text: string | null | undefined): Upcard | null {
  const match = /^(A|[2-9]|10|J|Q|K)([SHDC])$/.exec(text ?? '');
  const rank = RANKS.find((r) => r === match?.[1]);
  const suit = SUITS.find((s) => s === match?.[2]);
  return rank && suit ? { rank, suit } : null;
}

/** What the players report about one hand. */
export interface HandEntry {
  outcome: Outcome;
  /** Knock, gin, big gin: who went out. Undercut: the defender who undercut. */
  winner?: Side | undefined;
  /** Both players' deadwood counts, when entered... */
  deadwoodA?: number | undefined;
  deadwoodB?: number | undefined;
  /** ...or just the difference. */
  difference?: number | undefined;
  upcard?: Upcard | undefined;
}

export interface ScoredHand {
  outcome: Outcome;
  winner: Side | null;
  difference: number | null;
  /** Both deadwood counts, when they were entered (a gin winner's blank count is 0). */
  counts: { a: number; b: number } | null;
  points: number;
  doubled: boolean;
  knockLimit: number;
  /** The arithmetic, for the scorepad: "Knock: 18 − 6 = 12". */
  arithmetic: string;
}

/** What scoring one hand needs of the rules: a game's, or the league's for a quick hand. */
export type HandRules = Pick<GameRules, 'ginBonus' | 'bigGinBonus' | 'undercutBonus' | 'knockLimit' | 'oklahoma'>;

/** The usual knock limit, for hands outside a game. */
export const KNOCK_LIMIT = 10;

/** A hand outside a game (a quick hand, an imported one) is scored with the league's values and the usual knock limit. */
export const quickHandRules = (rules: Rules): HandRules => ({ ...rules, knockLimit: KNOCK_LIMIT, oklahoma: false });

export type HandFieldErrors = Partial<Record<'outcome' | 'winner' | 'deadwood' | 'deadwoodA' | 'deadwoodB' | 'upcard', string>>;

export type ScoreResult = { ok: true; hand: ScoredHand } | { ok: false; errors: HandFieldErrors };

const inRange = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 0 && n <= MAX_DEADWOOD;

/**
 * Scores one hand of a game, or says which rule it breaks. With both counts the
 * difference is computed, and a knock where the defender has as little or less is
 * scored as the undercut it is.
 */
export function scoreGameHand(rules: HandRules, entry: HandEntry): ScoreResult {
  const errors: HandFieldErrors = {};
  let knockLimit = rules.knockLimit;
  let doubled = false;
  if (rules.oklahoma) {
    if (!entry.upcard) errors.upcard = 'Oklahoma: enter the upcard; it sets the knock limit.';
    else {
      knockLimit = upcardValue(entry.upcard);
      doubled = entry.upcard.suit === 'S';
    }
  }
  if (entry.outcome === 'draw') {
    if (Object.keys(errors).length) return { ok: false, errors };
    return { ok: true, hand: { outcome: 'draw', winner: null, difference: null, counts: null, points: 0, doubled: false, knockLimit, arithmetic: 'Draw: no score' } };
  }
  if (!entry.winner) errors.winner = 'Choose who won the hand.';
  if (entry.outcome === 'big_gin' && rules.bigGinBonus === null) {
    errors.outcome = 'These rules have no big gin. Record it as gin.';
  }
  if (rules.oklahoma && entry.upcard && knockLimit === 1 && (entry.outcome === 'knock' || entry.outcome === 'undercut')) {
    errors.outcome = 'The upcard is an ace: this hand can only be won by gin.';
  }

  let outcome: Outcome = entry.outcome;
  let winner = entry.winner;
  let difference: number | undefined;
  let subtraction = ''; // "18 − 6" when both counts were entered and neither is 0
  let counts: { a: number; b: number } | null = null;
  const goneOut = entry.outcome === 'gin' || entry.outcome === 'big_gin';
  const count: { a: number | undefined; b: number | undefined } = { a: entry.deadwoodA, b: entry.deadwoodB };
  // A gin's winner has no deadwood: a blank box for them means 0, not a missing count.
  if (goneOut && entry.winner && count[entry.winner] === undefined && count[other(entry.winner)] !== undefined) {
    count[entry.winner] = 0;
  }
  const hasCounts = count.a !== undefined || count.b !== undefined;
  if (hasCounts) {
    const missing = 'Enter this count too, or clear both counts and enter the difference.';
    const countError = `Enter a deadwood count from 0 to ${MAX_DEADWOOD}.`;
    if (!inRange(count.a)) errors.deadwoodA = count.a === undefined ? missing : countError;
    if (!inRange(count.b)) errors.deadwoodB = count.b === undefined ? missing : countError;
    if (goneOut && entry.winner && inRange(count[entry.winner]) && count[entry.winner] !== 0) {
      errors[entry.winner === 'a' ? 'deadwoodA' : 'deadwoodB'] = 'Gin means the winner has no deadwood: their count must be 0.';
    }
    if (entry.winner && inRange(count.a) && inRange(count.b)) {
      const counted = { a: count.a, b: count.b };
      // The player who went out: the winner, except in an undercut, where it is the loser.
      const knocker = entry.outcome === 'undercut' ? other(entry.winner) : entry.winner;
      const defender = other(knocker);
      const field = knocker === 'a' ? 'deadwoodA' : 'deadwoodB';
      if (goneOut && counted[knocker] !== 0) {
        errors[field] = 'Gin means the winner has no deadwood: their count must be 0.';
      } else if ((outcome === 'knock' || outcome === 'undercut') && counted[knocker] > knockLimit) {
        errors[field] = `A knock needs deadwood of ${knockLimit} or less (the knock limit).`;
      } else if (outcome === 'knock' && counted[defender] <= counted[knocker]) {
        outcome = 'undercut';
        winner = defender;
      } else if (outcome === 'undercut' && counted[defender] > counted[knocker]) {
        errors.outcome = 'That is not an undercut: the defender has more deadwood than the knocker.';
      }
      difference = Math.abs(counted[knocker] - counted[defender]);
      counts = counted;
      const [high, low] = [Math.max(counted.a, counted.b), Math.min(counted.a, counted.b)];
      if (low > 0) subtraction = `${high} − ${low}`;
      // Both ways of saying it were used: they must say the same thing.
      if (entry.difference !== undefined && entry.difference !== difference) {
        errors.deadwood = `The counts ${counted.a} and ${counted.b} make a difference of ${difference}, not ${entry.difference}. Clear the difference or correct the counts.`;
        errors.deadwoodA ??= `Disagrees with the difference (${entry.difference}).`;
        errors.deadwoodB ??= `Disagrees with the difference (${entry.difference}).`;
      }
    }
  } else if (!inRange(entry.difference)) {
    errors.deadwood =
      entry.difference === undefined
        ? 'Enter both deadwood counts, or the difference.'
        : `Enter the deadwood difference as a whole number from 0 to ${MAX_DEADWOOD}.`;
  } else if (entry.outcome === 'knock' && entry.difference === 0) {
    // Equal deadwood is an undercut, won by the defender; never a knock worth 0.
    errors.deadwood = 'A knock with a difference of 0 is an undercut: the other player had as little deadwood. Choose Undercut and the other player as the winner.';
  } else {
    difference = entry.difference;
  }
  if (Object.keys(errors).length || difference === undefined || !winner) return { ok: false, errors };

  const bonus =
    outcome === 'gin' ? rules.ginBonus : outcome === 'big_gin' ? (rules.bigGinBonus ?? 0) : outcome === 'undercut' ? rules.undercutBonus : 0;
  const base = bonus + difference;
  const points = doubled ? base * 2 : base;
  const name = OUTCOME_LABELS[outcome];
  const label = name.charAt(0).toUpperCase() + name.slice(1); // 'Big gin: 31 + 4 = 35'
  const arithmetic =
    (bonus
      ? `${label}: ${bonus} + ${subtraction ? `(${subtraction})` : difference} = ${base}`
      : `${label}: ${subtraction ? `${subtraction} = ${difference}` : difference}`) +
    (doubled ? `, doubled by the spade upcard = ${points}` : '');
  return { ok: true, hand: { outcome, winner, difference, counts, points, doubled, knockLimit, arithmetic } };
}


export interface SideTotals {
  handPoints: number;
  handsWon: number;
}

export interface FinalSide {
  handPoints: number;
  /** Hand points after a shutout doubling (equal to handPoints when none). */
  scoredPoints: number;
  gameBonus: number;
  lineBonus: number;
  total: number;
}

export interface GameState {
  totals: Record<Side, SideTotals>;
  /** Index of the hand that ended the game, or null while it goes on. */
  endedAtHand: number | null;
  winner: Side | null;
  shutout: boolean;
  final: Record<Side, FinalSide> | null;
  /** The winner's final total minus the loser's. */
  margin: number | null;
}

/** Running totals and, once a player reaches the target, the final breakdown. */
export function gameState(rules: GameRules, hands: Pick<ScoredHand, 'winner' | 'points'>[]): GameState {
  const totals: Record<Side, SideTotals> = { a: { handPoints: 0, handsWon: 0 }, b: { handPoints: 0, handsWon: 0 } };
  let endedAtHand: number | null = null;
  let winner: Side | null = null;
  for (const [index, hand] of hands.entries()) {
    if (!hand.winner) continue;
    totals[hand.winner].handPoints += hand.points;
    totals[hand.winner].handsWon += 1;
    if (totals[hand.winner].handPoints >= rules.target) {
      endedAtHand = index;
      winner = hand.winner;
      break;
    }
  }
  if (winner === null) return { totals, endedAtHand: null, winner: null, shutout: false, final: null, margin: null };

  const w = winner;
  const l = other(w);
  const shutout = rules.shutoutDoubles ? totals[l].handsWon === 0 : totals[l].handPoints === 0;
  const side = (s: Side): FinalSide => {
    const handPoints = totals[s].handPoints;
    const scoredPoints = s === w && shutout && rules.shutoutDoubles ? handPoints * 2 : handPoints;
    const gameBonus = s === w ? (shutout && rules.shutoutGameBonus !== null ? rules.shutoutGameBonus : rules.gameBonus) : 0;
    const lineBonus = rules.lineBonus * totals[s].handsWon;
    return { handPoints, scoredPoints, gameBonus, lineBonus, total: scoredPoints + gameBonus + lineBonus };
  };
  const final = { a: side('a'), b: side('b') };
  return { totals, endedAtHand, winner: w, shutout, final, margin: final[w].total - final[l].total };
}

/**
 * Who deals the next hand: the loser of the previous hand; after a draw, the same dealer
 * again.
 */
export function nextDealer(firstDealer: Side, hands: { winner: Side | null }[]): Side {
  let dealer = firstDealer;
  for (const hand of hands) {
    if (hand.winner) dealer = other(hand.winner);
  }
  return dealer;
}
