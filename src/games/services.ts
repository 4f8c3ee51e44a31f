import type { Knex } from 'knex';
import type { Db } from '../db.js';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '../db.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import {
  gameState,
  PRESETS,
  scoreGameHand,
  upcardText,
  type GameRules,
  type HandEntry,
  type PresetName,
  type ScoredHand,
  type Side,
} from '../scoring/game.js';
import { rulesColumns, rulesOf, scoredOf, type GameHandRow, type GameRow } from './rows.js';

export interface GameStartInput {
  db: Db;
  playerAId: number;
  playerBId: number;
  firstDealer: Side;
  preset: PresetName;
  idempotencyKey: string;
}

/** Starts a game with the preset's rule values; the same form submitted twice starts one game. */
export async function gameStart(input: GameStartInput): Promise<{ id: number; created: boolean }> {
  const { db, playerAId, playerBId, firstDealer, preset, idempotencyKey } = input;
  if (playerAId === playerBId) {
    throw new ApplicationError('The game was not started.', { fields: { playerB: 'Pick two different players.' } });
  }
  try {
    const [row] = await db('games')
      .insert({
        player_a_id: playerAId,
        player_b_id: playerBId,
        first_dealer: firstDealer,
        preset,
        ...rulesColumns(PRESETS[preset].rules),
        idempotency_key: idempotencyKey,
      })
      .onConflict('idempotency_key')
      .ignore()
      .returning('id');
    if (row) return { id: row.id as number, created: true };
  } catch (err) {
    if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) {
      throw new ApplicationError('The game was not started.', {
        fields: { playerA: 'Choose players from the list; one of them no longer exists.' },
      });
    }
    throw err;
  }
  const existing = await db('games').where({ idempotency_key: idempotencyKey }).first('id');
  return { id: (existing as { id: number }).id, created: false };
}

/** Locks the game row for the rest of the transaction: writes to one game go one at a time. */
async function lockGame(trx: Knex.Transaction, gameId: number): Promise<GameRow> {
  const game = (await trx('games').where({ id: gameId }).forUpdate().first()) as GameRow | undefined;
  if (!game) throw new NotFoundError(`No game ${gameId}`);
  return game;
}

async function liveHands(trx: Knex.Transaction, gameId: number): Promise<GameHandRow[]> {
  return trx('hands').where({ game_id: gameId }).whereNull('voided_at').orderBy('hand_number');
}

/**
 * Recomputes the game's result from its hands and stores it: a correction can end, reopen
 * or re-decide a game. Refuses a change that would end the game before its last hand.
 */
async function gameRefresh(trx: Knex.Transaction, game: GameRow, hands: GameHandRow[]): Promise<void> {
  const state = gameState(rulesOf(game), hands.map((h) => scoredOf(game, h)));
  if (state.endedAtHand !== null && state.endedAtHand < hands.length - 1) {
    throw new ApplicationError(
      `With this change the game would end at hand ${state.endedAtHand + 1}, but ${hands.length - 1 - state.endedAtHand} more were played after it. Delete those hands first.`,
    );
  }
  const finished = state.winner !== null && state.final !== null;
  const winnerId = state.winner === 'a' ? game.player_a_id : state.winner === 'b' ? game.player_b_id : null;
  await trx('games')
    .where({ id: game.id })
    .update({
      status: finished ? 'finished' : 'active',
      winner_id: winnerId,
      score_a: state.final?.a.total ?? null,
      score_b: state.final?.b.total ?? null,
      margin: state.margin,
      // A game re-decided by a correction keeps the time it first finished.
      finished_at: finished ? (game.finished_at ?? trx.fn.now()) : null,
    });
}

function scoreOrThrow(rules: GameRules, entry: HandEntry): ScoredHand {
  const result = scoreGameHand(rules, entry);
  if (!result.ok) throw new ApplicationError('The hand was not saved.', { fields: result.errors });
  return result.hand;
}

function handColumns(game: GameRow, entry: HandEntry, hand: ScoredHand) {
  const counts = entry.deadwoodA !== undefined && entry.deadwoodB !== undefined;
  return {
    game_id: game.id,
    player_a_id: game.player_a_id,
    player_b_id: game.player_b_id,
    winner_id: hand.winner === 'a' ? game.player_a_id : hand.winner === 'b' ? game.player_b_id : null,
    outcome: hand.outcome,
    deadwood: hand.difference,
    deadwood_a: counts ? entry.deadwoodA : null,
    deadwood_b: counts ? entry.deadwoodB : null,
    upcard: entry.upcard ? upcardText(entry.upcard) : null,
    doubled: hand.doubled,
    points: hand.points,
    gin_bonus: game.gin_bonus,
    big_gin_bonus: game.big_gin_bonus ?? 0,
    undercut_bonus: game.undercut_bonus,
    line_bonus: game.line_bonus,
  };
}

export interface GameHandResult {
  handId: number;
  created: boolean;
  hand: ScoredHand | null;
}

/**
 * Records the next hand of a game. Two submissions of one form record one hand; two
 * different hands submitted at once are both kept, one after the other.
 */
export async function gameHandRecord({
  db,
  gameId,
  entry,
  idempotencyKey,
}: {
  db: Db;
  gameId: number;
  entry: HandEntry;
  idempotencyKey: string;
}): Promise<GameHandResult> {
  return db.transaction(async (trx) => {
    const game = await lockGame(trx, gameId);
    const repeated = await trx('hands').where({ idempotency_key: idempotencyKey }).first('id');
    if (repeated) return { handId: repeated.id as number, created: false, hand: null };
    if (game.status === 'finished') {
      throw new ApplicationError('This game is over. Undo or correct a hand to reopen it.');
    }
    const hand = scoreOrThrow(rulesOf(game), entry);
    const hands = await liveHands(trx, gameId);
    const handNumber = (hands.at(-1)?.hand_number ?? 0) + 1;
    const [row] = await trx('hands')
      .insert({ ...handColumns(game, entry, hand), hand_number: handNumber, idempotency_key: idempotencyKey })
      .returning('*');
    await gameRefresh(trx, game, [...hands, row as GameHandRow]);
    return { handId: (row as GameHandRow).id, created: true, hand };
  });
}

/** Takes back the last hand of a game (the row is kept, voided). */
export async function gameHandUndo({ db, gameId }: { db: Db; gameId: number }): Promise<void> {
  await db.transaction(async (trx) => {
    const game = await lockGame(trx, gameId);
    const hands = await liveHands(trx, gameId);
    const last = hands.at(-1);
    if (!last) throw new ApplicationError('There is no hand to undo.');
    await trx('hands').where({ id: last.id }).update({ voided_at: trx.fn.now() });
    await gameRefresh(trx, game, hands.slice(0, -1));
  });
}

/** Deletes one hand of a game (the row is kept, voided); the totals are recomputed. */
export async function gameHandDelete({ db, gameId, handId }: { db: Db; gameId: number; handId: number }): Promise<void> {
  await db.transaction(async (trx) => {
    const game = await lockGame(trx, gameId);
    const hands = await liveHands(trx, gameId);
    if (!hands.some((h) => h.id === handId)) throw new NotFoundError(`No hand ${handId} in game ${gameId}`);
    await trx('hands').where({ id: handId }).update({ voided_at: trx.fn.now() });
    await gameRefresh(trx, game, hands.filter((h) => h.id !== handId));
  });
}

/**
 * Corrects one hand: the old row is voided and points at its replacement, which takes its
 * place in the game. The game is re-decided from the corrected hands.
 */
export async function gameHandEdit({
  db,
  gameId,
  handId,
  entry,
  idempotencyKey,
}: {
  db: Db;
  gameId: number;
  handId: number;
  entry: HandEntry;
  idempotencyKey: string;
}): Promise<GameHandResult> {
  return db.transaction(async (trx) => {
    const game = await lockGame(trx, gameId);
    const repeated = await trx('hands').where({ idempotency_key: idempotencyKey }).first('id');
    if (repeated) return { handId: repeated.id as number, created: false, hand: null };
    const hands = await liveHands(trx, gameId);
    const old = hands.find((h) => h.id === handId);
    if (!old) throw new NotFoundError(`No hand ${handId} in game ${gameId}`);
    const hand = scoreOrThrow(rulesOf(game), entry);
    await trx('hands').where({ id: old.id }).update({ voided_at: trx.fn.now() });
    const [row] = await trx('hands')
      .insert({
        ...handColumns(game, entry, hand),
        hand_number: old.hand_number,
        played_at: old.played_at,
        idempotency_key: idempotencyKey,
      })
      .returning('*');
    await trx('hands').where({ id: old.id }).update({ replaced_by_id: (row as GameHandRow).id });
    await gameRefresh(trx, game, hands.map((h) => (h.id === old.id ? (row as GameHandRow) : h)));
    return { handId: (row as GameHandRow).id, created: true, hand };
  });
}

export type EditableRules = Pick<GameRules, 'ginBonus' | 'bigGinBonus' | 'undercutBonus' | 'lineBonus' | 'gameBonus' | 'target' | 'knockLimit'>;

/** Changes a game's rule values; only before its first hand. The preset's shape stays. */
export async function gameRulesUpdate({ db, gameId, values }: { db: Db; gameId: number; values: EditableRules }): Promise<void> {
  await db.transaction(async (trx) => {
    const game = await lockGame(trx, gameId);
    const hands = await liveHands(trx, gameId);
    if (hands.length > 0) {
      throw new ApplicationError('The rules are locked once the first hand is recorded.');
    }
    await trx('games').where({ id: gameId }).update(rulesColumns({ ...rulesOf(game), ...values }));
  });
}
