import { rawRows, type Db } from '../db.js';
import { gameState, nextDealer, PRESETS, scoreGameHand, type GameRules, type GameState, type PresetName, type Side } from '../scoring/game.js';
import type { Outcome } from '../scoring/rules.js';
import { entryOf, scoredOf, sideOf } from './rows.js';
import { isGameHand, rulesOf } from '../core/tables.js';

// The forms' choices and values (at the end of the file).
import { PRESET_NAMES, RANKS, SUIT_NAMES, SUITS } from '../scoring/game.js';
import { handOutcomeChoices } from '../hands/selectors.js';

export interface GameHandView {
  id: number;
  number: number;
  playedAt: Date;
  outcome: Outcome;
  winner: Side | null;
  points: number;
  arithmetic: string;
  upcard: string | null;
  deadwoodA: number | null;
  deadwoodB: number | null;
  deadwood: number | null;
  running: Record<Side, number>;
}

export interface GameView {
  id: number;
  preset: PresetName;
  presetLabel: string;
  rules: GameRules;
  status: 'active' | 'finished';
  voided: boolean;
  /** Left unfinished on purpose: off the list of unfinished games, kept in the history. */
  abandoned: boolean;
  players: Record<Side, { id: number; name: string }>;
  hands: GameHandView[];
  state: GameState;
  nextDealer: Side;
  rulesLocked: boolean;
  /** Percent of the target reached, capped at 100, for the progress bars. */
  progress: Record<Side, number>;
}

/** Everything the scorepad shows; the arithmetic of each hand is explained by the pure rules. */
export async function gameGet({ db, id }: { db: Db; id: number }): Promise<GameView | undefined> {
  const game = await db('games').where({ id }).first();
  if (!game) return undefined;
  const [players, stored] = await Promise.all([
    db('players').whereIn('id', [game.player_a_id, game.player_b_id]).select('id', 'name'),
    db('hands').where({ game_id: id }).whereNull('voided_at').orderBy('hand_number'),
  ]);
  const hands = stored.filter(isGameHand);
  const nameOf = (playerId: number) => players.find((p) => p.id === playerId)?.name ?? '?';
  const rules = rulesOf(game);
  const running = { a: 0, b: 0 };
  const handViews = hands.map((h, index): GameHandView => {
    const winner = sideOf(game, h.winner_id);
    if (winner) running[winner] += h.points;
    const explained = scoreGameHand(rules, entryOf(game, h));
    return {
      id: h.id,
      number: index + 1,
      playedAt: h.played_at,
      outcome: h.outcome,
      winner,
      points: h.points,
      arithmetic: explained.ok ? explained.hand.arithmetic : `${h.points}`,
      upcard: h.upcard,
      deadwoodA: h.deadwood_a,
      deadwoodB: h.deadwood_b,
      deadwood: h.deadwood,
      running: { ...running },
    };
  });
  const scored = hands.map((h) => scoredOf(game, h));
  const state = gameState(rules, scored);
  const pct = (side: Side) => Math.min(100, Math.round((100 * state.totals[side].handPoints) / rules.target));
  return {
    id: game.id,
    preset: game.preset,
    presetLabel: PRESETS[game.preset].label,
    rules,
    status: game.status,
    voided: game.voided_at !== null,
    abandoned: game.abandoned_at !== null,
    players: {
      a: { id: game.player_a_id, name: nameOf(game.player_a_id) },
      b: { id: game.player_b_id, name: nameOf(game.player_b_id) },
    },
    hands: handViews,
    state,
    nextDealer: nextDealer(game.first_dealer, scored),
    rulesLocked: hands.length > 0,
    progress: { a: pct('a'), b: pct('b') },
  };
}

export interface ActiveGame {
  id: number;
  nameA: string;
  nameB: string;
  pointsA: number;
  pointsB: number;
  target: number;
  /** When a hand was last recorded (or the game started): how stale it is. */
  lastPlayed: Date;
}

/** Unfinished games (not abandoned), most recently played first, with their running totals. */
export async function gameListActive({ db }: { db: Db }): Promise<ActiveGame[]> {
  const rows = await rawRows<Omit<ActiveGame, 'lastPlayed'> & { last_played: Date }>(
    db,
    `
    select g.id, a.name as "nameA", b.name as "nameB", g.target,
      coalesce(sum(h.points) filter (where h.winner_id = g.player_a_id), 0) as "pointsA",
      coalesce(sum(h.points) filter (where h.winner_id = g.player_b_id), 0) as "pointsB",
      greatest(g.created_at, max(h.played_at)) as last_played
    from games g
    join players a on a.id = g.player_a_id
    join players b on b.id = g.player_b_id
    left join hands h on h.game_id = g.id and h.voided_at is null
    where g.status = 'active' and g.voided_at is null and g.abandoned_at is null
    group by g.id, a.name, b.name
    order by last_played desc, g.id desc
  `);
  return rows.map(({ last_played, ...game }) => ({ ...game, lastPlayed: new Date(last_played) }));
}

export interface ListedGame extends ActiveGame {
  /** Untouched for the league's STALE_GAME_DAYS or more. */
  stale: boolean;
  /** Whole days since the last hand (or the start). */
  idleDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Marks the games nobody has touched for `staleDays`; the time is the request's, not the cache's. */
export function gamesWithStaleness(games: ActiveGame[], { now, staleDays }: { now: Date; staleDays: number }): ListedGame[] {
  return games.map((g) => {
    const idleDays = Math.floor((now.getTime() - g.lastPlayed.getTime()) / DAY_MS);
    return { ...g, idleDays, stale: idleDays >= staleDays };
  });
}

/** The hand form's choices, labelled: the outcomes this game's rules allow, its two players, the upcard's cards. */
export function gameHandChoices(game: GameView) {
  return {
    outcomes: handOutcomeChoices().filter((o) => o.value !== 'big_gin' || game.rules.bigGinBonus !== null),
    winners: (['a', 'b'] as const).map((side) => ({ value: side, label: game.players[side].name })),
    ranks: RANKS.map((r) => ({ id: r, name: r })),
    suits: SUITS.map((s) => ({ id: s, name: SUIT_NAMES[s] })),
  };
}

/** A game's rules as its rules form shows them. */
export function gameRulesFormValues(r: GameRules): Record<string, string> {
  return {
    ginBonus: String(r.ginBonus),
    bigGinBonus: r.bigGinBonus === null ? '' : String(r.bigGinBonus),
    undercutBonus: String(r.undercutBonus),
    lineBonus: String(r.lineBonus),
    gameBonus: String(r.gameBonus),
    target: String(r.target),
    knockLimit: String(r.knockLimit),
  };
}

/** A recorded hand as the correction form shows it. */
export function gameHandFormValues(hand: GameHandView): Record<string, string> {
  return {
    outcome: hand.outcome,
    winner: hand.winner ?? '',
    deadwoodA: hand.deadwoodA === null ? '' : String(hand.deadwoodA),
    deadwoodB: hand.deadwoodB === null ? '' : String(hand.deadwoodB),
    deadwood: hand.deadwoodA === null && hand.deadwood !== null ? String(hand.deadwood) : '',
    upcardRank: hand.upcard ? hand.upcard.slice(0, -1) : '',
    upcardSuit: hand.upcard ? hand.upcard.slice(-1) : '',
  };
}

/** The new-game form's rule sets, each with its label and rules. */
export const gamePresetChoices = () => PRESET_NAMES.map((value) => ({ value, label: PRESETS[value].label, rules: PRESETS[value].rules }));

/** The unfinished-games page: those played lately, then the stale ones; the time is the request's. */
export function gameListPage(games: ActiveGame[], { now, staleDays }: { now: Date; staleDays: number }) {
  const listed = gamesWithStaleness(games, { now, staleDays });
  return { fresh: listed.filter((g) => !g.stale), stale: listed.filter((g) => g.stale), staleDays };
}
