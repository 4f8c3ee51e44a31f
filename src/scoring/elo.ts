/**
 * Elo ratings, one result at a time. Pure: no I/O. A hand is a game between two players:
 * the winner scores 1, the loser 0, a draw ½ each.
 */
export interface EloSettings {
  start: number;
  k: number;
}

/** The chance the first player wins, by their ratings. */
export function expectedScore(rating: number, opponent: number): number {
  return 1 / (1 + 10 ** ((opponent - rating) / 400));
}

/**
 * Both ratings after one result; `score` is the first player's (1, ½ or 0).
 * Written once more in SQL, for the quick hand's append (hand_record, in
 * migrations/20261203080000_hand_record_function.ts): change both together;
 * tests/services/ratings-append.test.ts holds them equal, bit for bit.
 */
export function eloUpdate(k: number, ratingA: number, ratingB: number, score: 0 | 0.5 | 1): [number, number] {
  const change = k * (score - expectedScore(ratingA, ratingB));
  return [ratingA + change, ratingB - change];
}

export interface RatedResult {
  handId: number;
  playerAId: number;
  playerBId: number;
  winnerId: number | null;
}

export interface RatingStep {
  handId: number;
  playerId: number;
  before: number;
  after: number;
}

/** Replays results in order from the given ratings; returns each player's step per hand. */
export function eloReplay(settings: EloSettings, current: Map<number, number>, results: RatedResult[]): RatingStep[] {
  const ratings = new Map(current);
  const steps: RatingStep[] = [];
  for (const r of results) {
    const a = ratings.get(r.playerAId) ?? settings.start;
    const b = ratings.get(r.playerBId) ?? settings.start;
    const score = r.winnerId === null ? 0.5 : r.winnerId === r.playerAId ? 1 : 0;
    const [a2, b2] = eloUpdate(settings.k, a, b, score);
    ratings.set(r.playerAId, a2);
    ratings.set(r.playerBId, b2);
    steps.push({ handId: r.handId, playerId: r.playerAId, before: a, after: a2 });
    steps.push({ handId: r.handId, playerId: r.playerBId, before: b, after: b2 });
  }
  return steps;
}
