/*
 * The database's tables as the compiler sees them: one row type per table and view, read
 * from migrations/, declared to Knex once so that `db('hands')` is typed where it is read.
 * Inserts and updates take any part of a row (Knex's default for a plain row type); the
 * database's constraints and defaults decide the rest.
 *
 * Also here, because it is about columns: the one translation between a rule set and the
 * columns that store it.
 */
import type { GameRules, PresetName, Side } from '../scoring/game.js';
import type { Outcome, Rules } from '../scoring/rules.js';

export interface PlayerRow {
  id: number;
  name: string;
  /** The identity rule's key (src/core/names.ts); null for a look-alike kept from before the rule, or a merged player. */
  name_key: string | null;
  created_at: Date;
  created_by: number | null;
  idempotency_key: string | null;
  merged_into_id: number | null;
}

/** The rule values a hand was scored with (a quick hand's rule set). */
export interface HandRuleColumns {
  gin_bonus: number;
  big_gin_bonus: number;
  undercut_bonus: number;
  line_bonus: number;
}

export interface HandRow extends HandRuleColumns {
  id: number;
  played_at: Date;
  player_a_id: number;
  player_b_id: number;
  winner_id: number | null;
  outcome: Outcome;
  /** The deadwood difference; null for a draw. */
  deadwood: number | null;
  points: number;
  idempotency_key: string;
  created_at: Date;
  created_by: number | null;
  /** A hand of a game has a game and a place in it; a quick hand has neither. */
  game_id: number | null;
  hand_number: number | null;
  deadwood_a: number | null;
  deadwood_b: number | null;
  upcard: string | null;
  doubled: boolean;
  voided_at: Date | null;
  voided_by: number | null;
  replaced_by_id: number | null;
  import_id: number | null;
}

/** A hand recorded on a game's scorepad. */
export type GameHandRow = HandRow & { game_id: number; hand_number: number };

export const isGameHand = (hand: HandRow): hand is GameHandRow => hand.game_id !== null && hand.hand_number !== null;

/** A game's rule values, stored with it and locked once its first hand is recorded. */
export interface GameRuleColumns {
  gin_bonus: number;
  /** null: no big gin in these rules. */
  big_gin_bonus: number | null;
  undercut_bonus: number;
  line_bonus: number;
  game_bonus: number;
  shutout_game_bonus: number | null;
  shutout_doubles: boolean;
  target: number;
  knock_limit: number;
  oklahoma: boolean;
}

export interface GameRow extends GameRuleColumns {
  id: number;
  player_a_id: number;
  player_b_id: number;
  first_dealer: Side;
  preset: PresetName;
  // Derived from the hands by gameRefresh on every change.
  status: 'active' | 'finished';
  winner_id: number | null;
  score_a: number | null;
  score_b: number | null;
  margin: number | null;
  finished_at: Date | null;
  idempotency_key: string;
  created_at: Date;
  created_by: number | null;
  voided_at: Date | null;
  voided_by: number | null;
  abandoned_at: Date | null;
  abandoned_by: number | null;
}

export interface ActivityRow {
  id: number;
  at: Date;
  actor_id: number | null;
  action: string;
  summary: string;
  link: string | null;
  subject_type: string | null;
  subject_id: number | null;
}

export interface RatingRow {
  hand_id: number;
  player_id: number;
  played_at: Date;
  before: number;
  after: number;
}

export interface RateLimitRow {
  key: string;
  hits: number;
  reset_at: Date;
}

export interface LeagueVersionRow {
  id: number;
  /** bigint, a number from either driver (src/db.ts). */
  version: number;
}

export interface ImportRecordRow {
  id: number;
  at: Date;
  created_by: number | null;
  hands: number;
  undone_at: Date | null;
  undone_by: number | null;
}

export interface MergeRow {
  id: number;
  at: Date;
  created_by: number | null;
  from_player_id: number;
  into_player_id: number;
  /** jsonb: what the merge moved (src/players/merge.ts parses it), written in JSON text. */
  moved: unknown;
  undone_at: Date | null;
  undone_by: number | null;
}

export interface MemberSessionRow {
  /** SHA-256 of the cookie's session token. */
  id: string;
  player_id: number;
  passcode_fingerprint: string;
  created_at: Date;
  ended_at: Date | null;
}

declare module 'knex/types/tables.js' {
  interface Tables {
    players: PlayerRow;
    hands: HandRow;
    /** The hands that count: not voided, and not in a voided game. */
    live_hands: HandRow;
    games: GameRow;
    activity: ActivityRow;
    ratings: RatingRow;
    rate_limits: RateLimitRow;
    league_version: LeagueVersionRow;
    imports: ImportRecordRow;
    merges: MergeRow;
    member_sessions: MemberSessionRow;
  }
}

/*
 * Rule values <-> columns, written once. A game stores its whole rule set; a hand stores
 * the four values it was scored with (a game without big gin stores 0 there, as it always has).
 */
const scoringColumns = (rules: Pick<GameRules, 'ginBonus' | 'bigGinBonus' | 'undercutBonus' | 'lineBonus'>) => ({
  gin_bonus: rules.ginBonus,
  big_gin_bonus: rules.bigGinBonus,
  undercut_bonus: rules.undercutBonus,
  line_bonus: rules.lineBonus,
});

/** A rule set as the games table's columns. */
export const rulesColumns = (rules: GameRules): GameRuleColumns => ({
  ...scoringColumns(rules),
  game_bonus: rules.gameBonus,
  shutout_game_bonus: rules.shutoutGameBonus,
  shutout_doubles: rules.shutoutDoubles,
  target: rules.target,
  knock_limit: rules.knockLimit,
  oklahoma: rules.oklahoma,
});

/** The rule values a hand is stored with: a quick hand's rules, or its game's. */
export function handRulesColumns(rules: Rules | GameRules): HandRuleColumns {
  const columns = scoringColumns(rules);
  return { ...columns, big_gin_bonus: columns.big_gin_bonus ?? 0 };
}

/** A game row's rule set. */
export const rulesOf = (game: GameRuleColumns): GameRules => ({
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
});
