/* A stored game hand in the pure rules' terms. (Row types and the rules' columns: src/core/tables.ts.) */
import { parseUpcard, type ScoredHand, type Side, type HandEntry } from '../scoring/game.js';
import type { GameHandRow, GameRow } from '../core/tables.js';

export const sideOf = (game: Pick<GameRow, 'player_a_id'>, playerId: number | null): Side | null =>
  playerId === null ? null : playerId === game.player_a_id ? 'a' : 'b';

/** A stored hand as the entry that produced it, so the pure rules can explain it again. */
export function entryOf(game: GameRow, hand: GameHandRow): HandEntry {
  const counts = hand.deadwood_a !== null && hand.deadwood_b !== null;
  return {
    outcome: hand.outcome,
    winner: sideOf(game, hand.winner_id) ?? undefined,
    deadwoodA: counts ? (hand.deadwood_a ?? undefined) : undefined,
    deadwoodB: counts ? (hand.deadwood_b ?? undefined) : undefined,
    difference: counts ? undefined : (hand.deadwood ?? undefined),
    upcard: parseUpcard(hand.upcard) ?? undefined,
  };
}

export const scoredOf = (game: GameRow, hand: GameHandRow): Pick<ScoredHand, 'winner' | 'points'> => ({
  winner: sideOf(game, hand.winner_id),
  points: hand.points,
});
