/* The games table's row, and its translation into the pure rules' terms. */
import { parseUpcard, type GameRules, type PresetName, type ScoredHand, type Side, type HandEntry } from '../scoring/game.js';
import type { Outcome } from '../scoring/rules.js';

export interface GameRow {
  id: number;
  player_a_id: number;
  player_b_id: number;
  first_dealer: Side;
  preset: PresetName;
  gin_bonus: number;
  big_gin_bonus: number | null;
  undercut_bonus: number;
  line_bonus: number;
  game_bonus: number;
  shutout_game_bonus: number | null;
  shutout_doubles: boolean;
  target: number;
  knock_limit: number;
  oklahoma: boolean;
  status: 'active' | 'finished';
  winner_id: number | null;
  score_a: number | null;
  score_b: number | null;
  margin: number | null;
  finished_at: Date | null;
  created_at: Date;
  voided_at: Date | null;
  abandoned_at: Date | null;
}

export interface GameHandRow {
  id: number;
  player_a_id: number;
  player_b_id: number;
  hand_number: number;
  played_at: Date;
  outcome: Outcome;
  winner_id: number | null;
  deadwood: number | null;
  deadwood_a: number | null;
  deadwood_b: number | null;
  upcard: string | null;
  points: number;
}

export function rulesOf(game: GameRow): GameRules {
  return {
    ginBonus: game.gin_bonus,
    bigGinBonus: game.big_gin_bonus,
    undercutBonus: game.undercut_bonus,
    lineBonus: game.line_bonus,
    gameBonus: game.game_bonus,
    shutoutGameBonus: game.shutout_game_bonus,
    shutoutDoubles: game.shutout_doubles,
    target: game.target,
    knockLimit: game.knock_limit,
    oklahoma: game.oklahoma,
  };
}

export function rulesColumns(rules: GameRules) {
  return {
    gin_bonus: rules.ginBonus,
    big_gin_bonus: rules.bigGinBonus,
    undercut_bonus: rules.undercutBonus,
    line_bonus: rules.lineBonus,
    game_bonus: rules.gameBonus,
    shutout_game_bonus: rules.shutoutGameBonus,
    shutout_doubles: rules.shutoutDoubles,
    target: rules.target,
    knock_limit: rules.knockLimit,
    oklahoma: rules.oklahoma,
  };
}

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
