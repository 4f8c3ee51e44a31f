import type { Knex } from 'knex';
import type { Db } from '../db.js';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode, writeTransaction } from '../db.js';
import { requestKey } from '../core/idempotency.js';
import { ApplicationError, GameOverError, NotFoundError } from '../core/errors.js';
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
import { scoredOf } from './rows.js';
import { handRulesColumns, isGameHand, rulesColumns, rulesOf, type GameHandRow, type GameRow, type HandRow } from '../core/tables.js';
import { activityRecord, playerNames } from '../activity/services.js';
import { playersAssertLive } from '../players/services.js';
import { handHeadline, handSentence } from '../hands/services.js';
import { earliest, ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';

export interface GameStartInput {
  db: Db;
  playerAId: number;
  playerBId: number;
  firstDealer: Side;
  preset: PresetName;
  idempotencyKey: string;
  actorId?: number | null;
}

/** Starts a game with the preset's rule values; the same form submitted twice starts one game. */
export async function gameStart(input: GameStartInput): Promise<{ id: number; created: boolean }> {
  const { db, playerAId, playerBId, firstDealer, preset } = input;
  const idempotencyKey = requestKey(input.idempotencyKey, { kind: 'game', playerAId, playerBId, firstDealer, preset });
  const actorId = input.actorId ?? null;
  if (playerAId === playerBId) {
    throw new ApplicationError('The game was not started.', { fields: { playerB: 'Pick two different players.' } });
  }
  try {
    const started = await writeTransaction(db, async (trx) => {
      await playersAssertLive(trx, [playerAId, playerBId], 'The game was not started.');
      const [row] = await trx('games')
        .insert({
          player_a_id: playerAId,
          player_b_id: playerBId,
          first_dealer: firstDealer,
          preset,
          ...rulesColumns(PRESETS[preset].rules),
          idempotency_key: idempotencyKey,
          created_by: actorId,
        })
        .onConflict('idempotency_key')
        .ignore()
        .returning('id');
      if (!row) return null;
      const names = await playerNames(trx, [playerAId, playerBId]);
      await activityRecord(trx, {
        actorId,
        action: 'game.started',
        summary: `started a game, ${names.get(playerAId)} v ${names.get(playerBId)} (${PRESETS[preset].label})`,
        link: `/games/${row.id}`,
        subject: { type: 'game', id: row.id },
      });
      return { id: row.id, created: true };
    });
    if (started) return started;
  } catch (err) {
    if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) {
      throw new ApplicationError('The game was not started.', {
        fields: { playerA: 'Choose players from the list; one of them no longer exists.' },
      });
    }
    throw err;
  }
  // Nothing inserted: the key's game exists (a resend, or its twin racing it).
  const existing = await db('games').where({ idempotency_key: idempotencyKey }).first('id');
  if (!existing) throw new Error(`No game stored under ${idempotencyKey} after a conflict on it`);
  return { id: existing.id, created: false };
}

/** Locks the game row for the rest of the transaction: writes to one game go one at a time. */
async function lockGame(trx: Knex.Transaction, gameId: number): Promise<GameRow> {
  const game = await trx('games').where({ id: gameId }).forUpdate().first();
  if (!game) throw new NotFoundError(`No game ${gameId}`);
  return game;
}

/** What every change to an existing game is given. */
export interface GameChange {
  db: Db;
  gameId: number;
  actorId?: number | null;
  elo?: EloSettings;
}

/** Runs a change to a game that still counts, with its row locked, in one transaction. */
function changeGame<T>(db: Db, gameId: number, change: (trx: Knex.Transaction, game: GameRow) => Promise<T>): Promise<T> {
  return writeTransaction(db, async (trx) => {
    const game = await lockGame(trx, gameId);
    assertNotVoided(game);
    return change(trx, game);
  });
}

async function liveHands(trx: Knex.Transaction, gameId: number): Promise<GameHandRow[]> {
  const hands = await trx('hands').where({ game_id: gameId }).whereNull('voided_at').orderBy('hand_number');
  return hands.filter(isGameHand);
}

/** A hand just stored for a game, as its row: the insert gave it a game and a number. */
function gameHand(row: HandRow | undefined): GameHandRow {
  if (!row || !isGameHand(row)) throw new Error('The stored hand came back without its game');
  return row;
}

/**
 * Recomputes the game's result from its hands and stores it: a correction can end, reopen
 * or re-decide a game. Refuses a change that would end the game before its last hand.
 */
async function gameRefresh(trx: Knex.Transaction, game: GameRow, hands: GameHandRow[]): Promise<number | null> {
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
  return finished ? winnerId : null;
}

async function noteGameHand(trx: Knex.Transaction, game: GameRow, hand: GameHandRow, actorId: number | null, action: string, verb: string) {
  const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
  await activityRecord(trx, {
    actorId,
    action,
    summary: `${verb} hand ${hand.hand_number} of game ${game.id}: ${handSentence(hand, names)}`,
    link: `/games/${game.id}`,
    subject: { type: 'hand', id: hand.id },
  });
}

function scoreOrThrow(rules: GameRules, entry: HandEntry): ScoredHand {
  const result = scoreGameHand(rules, entry);
  if (!result.ok) throw new ApplicationError('The hand was not saved.', { fields: result.errors });
  return result.hand;
}

function handColumns(game: GameRow, entry: HandEntry, hand: ScoredHand) {
  return {
    game_id: game.id,
    player_a_id: game.player_a_id,
    player_b_id: game.player_b_id,
    winner_id: hand.winner === 'a' ? game.player_a_id : hand.winner === 'b' ? game.player_b_id : null,
    outcome: hand.outcome,
    deadwood: hand.difference,
    deadwood_a: hand.counts?.a ?? null,
    deadwood_b: hand.counts?.b ?? null,
    upcard: entry.upcard ? upcardText(entry.upcard) : null,
    doubled: hand.doubled,
    points: hand.points,
    ...handRulesColumns(rulesOf(game)),
  };
}

export interface GameHandResult {
  handId: number;
  /** False when this very hand had been sent before: nothing new was stored. */
  created: boolean;
  /** "Alice +27 (gin)", read inside the transaction. */
  headline: string;
  /** The game's winner's name, when this hand ended the game. */
  gameWonBy: string | null;
}

/** What a hand sent to a game is stored under: the form's token with the game and what it says. */
const gameHandKey = (token: string, gameId: number, entry: HandEntry, handId?: number) =>
  requestKey(token, {
    kind: 'game-hand',
    gameId,
    handId,
    outcome: entry.outcome,
    winner: entry.winner,
    deadwoodA: entry.deadwoodA,
    deadwoodB: entry.deadwoodB,
    difference: entry.difference,
    upcard: entry.upcard ? upcardText(entry.upcard) : undefined,
  });

/** The stored hand a resend of the same form refers to, if any. */
async function sentBefore(trx: Knex.Transaction, game: GameRow, key: string): Promise<GameHandResult | null> {
  const earlier = await trx('hands').where({ idempotency_key: key }).first();
  if (!earlier) return null;
  const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
  return { handId: earlier.id, created: false, headline: handHeadline(earlier, names), gameWonBy: null };
}

/**
 * Records the next hand of a game. The same form sent twice records one hand; two
 * different hands submitted at once are both kept, one after the other. A hand sent to a
 * game that has ended is refused with GameOverError.
 */
export async function gameHandRecord({ db, gameId, entry, idempotencyKey, actorId = null, elo }: GameChange & { entry: HandEntry; idempotencyKey: string }): Promise<GameHandResult> {
  const key = gameHandKey(idempotencyKey, gameId, entry);
  return changeGame(db, gameId, async (trx, game) => {
    const repeated = await sentBefore(trx, game, key);
    if (repeated) return repeated;
    if (game.status === 'finished') throw new GameOverError();
    const hand = scoreOrThrow(rulesOf(game), entry);
    const hands = await liveHands(trx, gameId);
    const handNumber = (hands.at(-1)?.hand_number ?? 0) + 1;
    const [inserted] = await trx('hands')
      .insert({ ...handColumns(game, entry, hand), hand_number: handNumber, idempotency_key: key, created_by: actorId })
      .returning('*');
    const row = gameHand(inserted);
    const winnerId = await gameRefresh(trx, game, [...hands, row]);
    await ratingsRecompute({ db: trx, elo, from: earliest([row]) });
    await noteGameHand(trx, game, row, actorId, 'game.hand_recorded', 'recorded');
    const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
    return {
      handId: row.id,
      created: true,
      headline: handHeadline(row, names),
      gameWonBy: winnerId === null ? null : (names.get(winnerId) ?? null),
    };
  });
}

/** Takes back the last hand of a game (the row is kept, voided). */
/** Returns the hand taken back (its id, and "hand 3, Alice +12 (knock) v Bob"), so it can be brought back. */
export async function gameHandUndo({ db, gameId, actorId = null, elo }: GameChange): Promise<{ handId: number; sentence: string }> {
  return changeGame(db, gameId, async (trx, game) => {
    const hands = await liveHands(trx, gameId);
    const last = hands.at(-1);
    if (!last) throw new ApplicationError('There is no hand to undo.');
    await trx('hands').where({ id: last.id }).update({ voided_at: trx.fn.now(), voided_by: actorId });
    await gameRefresh(trx, game, hands.slice(0, -1));
    await ratingsRecompute({ db: trx, elo, from: earliest([last]) });
    await noteGameHand(trx, game, last, actorId, 'game.hand_undone', 'undid');
    const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
    return { handId: last.id, sentence: `hand ${last.hand_number}, ${handSentence(last, names)}` };
  });
}

/** Deletes one hand of a game (the row is kept, voided); the totals are recomputed. */
export async function gameHandDelete({ db, gameId, handId, actorId = null, elo }: GameChange & { handId: number }): Promise<void> {
  await changeGame(db, gameId, async (trx, game) => {
    const hands = await liveHands(trx, gameId);
    const hand = hands.find((h) => h.id === handId);
    if (!hand) throw new NotFoundError(`No hand ${handId} in game ${gameId}`);
    await trx('hands').where({ id: handId }).update({ voided_at: trx.fn.now(), voided_by: actorId });
    await gameRefresh(trx, game, hands.filter((h) => h.id !== handId));
    await ratingsRecompute({ db: trx, elo, from: earliest([hand]) });
    await noteGameHand(trx, game, hand, actorId, 'game.hand_deleted', 'deleted');
  });
}

/**
 * Corrects one hand: the old row is voided and points at its replacement, which takes its
 * place in the game. The game is re-decided from the corrected hands.
 */
export async function gameHandEdit({ db, gameId, handId, entry, idempotencyKey, actorId = null, elo }: GameChange & { handId: number; entry: HandEntry; idempotencyKey: string }): Promise<GameHandResult> {
  const key = gameHandKey(idempotencyKey, gameId, entry, handId);
  return changeGame(db, gameId, async (trx, game) => {
    const repeated = await sentBefore(trx, game, key);
    if (repeated) return repeated;
    const hands = await liveHands(trx, gameId);
    const old = hands.find((h) => h.id === handId);
    if (!old) throw new NotFoundError(`No hand ${handId} in game ${gameId}`);
    const hand = scoreOrThrow(rulesOf(game), entry);
    await trx('hands').where({ id: old.id }).update({ voided_at: trx.fn.now(), voided_by: actorId });
    const [inserted] = await trx('hands')
      .insert({
        ...handColumns(game, entry, hand),
        hand_number: old.hand_number,
        played_at: old.played_at,
        idempotency_key: key,
        created_by: actorId,
      })
      .returning('*');
    const row = gameHand(inserted);
    await trx('hands').where({ id: old.id }).update({ replaced_by_id: row.id });
    const winnerId = await gameRefresh(trx, game, hands.map((h) => (h.id === old.id ? row : h)));
    await ratingsRecompute({ db: trx, elo, from: earliest([old]) });
    const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
    await activityRecord(trx, {
      actorId,
      action: 'game.hand_corrected',
      summary: `corrected hand ${old.hand_number} of game ${game.id}: ${handSentence(old, names)} became ${handSentence(row, names)}`,
      link: `/games/${game.id}`,
      subject: { type: 'hand', id: row.id },
    });
    return {
      handId: row.id,
      created: true,
      headline: handHeadline(row, names),
      gameWonBy: winnerId === null ? null : (names.get(winnerId) ?? null),
    };
  });
}

/** The knock limit may be left out: under Oklahoma rules the upcard sets it, hand by hand. */
export type EditableRules = Pick<GameRules, 'ginBonus' | 'bigGinBonus' | 'undercutBonus' | 'lineBonus' | 'gameBonus' | 'target'> & { knockLimit?: number | undefined };

/** Changes a game's rule values; only before its first hand. The preset's shape stays. */
export async function gameRulesUpdate({ db, gameId, values, actorId = null }: GameChange & { values: EditableRules }): Promise<void> {
  await changeGame(db, gameId, async (trx, game) => {
    const hands = await liveHands(trx, gameId);
    if (hands.length > 0) {
      throw new ApplicationError('The rules are locked once the first hand is recorded.');
    }
    const rules = rulesOf(game);
    const { knockLimit, ...rest } = values;
    if (!rules.oklahoma && knockLimit === undefined) {
      throw new ApplicationError('The rules were not saved.', { fields: { knockLimit: 'Knock limit: a whole number from 0 to 10.' } });
    }
    await trx('games')
      .where({ id: gameId })
      .update(rulesColumns({ ...rules, ...rest, knockLimit: rules.oklahoma ? rules.knockLimit : (knockLimit ?? rules.knockLimit) }));
    await activityRecord(trx, {
      actorId,
      action: 'game.rules_changed',
      summary: `changed the rules of game ${game.id}: gin ${values.ginBonus}, big gin ${values.bigGinBonus ?? 'none'}, undercut ${values.undercutBonus}, line ${values.lineBonus}, game ${values.gameBonus}, target ${values.target}${rules.oklahoma ? '' : `, knock limit ${knockLimit}`}`,
      link: `/games/${game.id}`,
      subject: { type: 'game', id: game.id },
    });
  });
}

function assertNotVoided(game: GameRow): void {
  if (game.voided_at) throw new ApplicationError('This game was voided. Restore it first to change it.');
  if (game.abandoned_at) throw new ApplicationError('This game was abandoned. Take it up again first to change it.');
}

/**
 * Abandons an unfinished game: it leaves the list of unfinished games and stays in the
 * history (its page, its hands, the activity log). gameResume undoes it.
 */
export async function gameAbandon(change: GameChange): Promise<void> {
  await gameSetAbandoned(change, true);
}

/** Takes an abandoned game up again: back on the list of unfinished games. */
export async function gameResume(change: GameChange): Promise<void> {
  await gameSetAbandoned(change, false);
}

async function gameSetAbandoned({ db, gameId, actorId = null }: GameChange, abandoned: boolean): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const game = await lockGame(trx, gameId);
    if (Boolean(game.abandoned_at) === abandoned) return; // already so
    if (game.voided_at) throw new ApplicationError('This game was voided. Restore it first to change it.');
    if (abandoned && game.status === 'finished') throw new ApplicationError('This game is finished: there is nothing to abandon.');
    await trx('games')
      .where({ id: gameId })
      .update(abandoned ? { abandoned_at: trx.fn.now(), abandoned_by: actorId } : { abandoned_at: null, abandoned_by: null });
    const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
    await activityRecord(trx, {
      actorId,
      action: abandoned ? 'game.abandoned' : 'game.resumed',
      summary: `${abandoned ? 'abandoned' : 'took up again'} game ${game.id}, ${names.get(game.player_a_id)} v ${names.get(game.player_b_id)}`,
      link: `/games/${game.id}`,
      subject: { type: 'game', id: game.id },
    });
  });
}

/** Hides a whole game (and its hands) from the scores, keeping every row; gameRestore undoes it. */
export async function gameVoid(change: GameChange): Promise<void> {
  await gameSetVoided(change, true);
}

export async function gameRestore(change: GameChange): Promise<void> {
  await gameSetVoided(change, false);
}

async function gameSetVoided({ db, gameId, actorId = null, elo }: GameChange, voided: boolean): Promise<void> {
  await writeTransaction(db, async (trx) => {
    const game = await lockGame(trx, gameId);
    if (Boolean(game.voided_at) === voided) return; // already so
    await trx('games')
      .where({ id: gameId })
      .update(voided ? { voided_at: trx.fn.now(), voided_by: actorId } : { voided_at: null, voided_by: null });
    const from = earliest(await liveHands(trx, gameId));
    if (from) await ratingsRecompute({ db: trx, elo, from });
    const names = await playerNames(trx, [game.player_a_id, game.player_b_id]);
    await activityRecord(trx, {
      actorId,
      action: voided ? 'game.voided' : 'game.restored',
      summary: `${voided ? 'voided' : 'restored'} game ${game.id}, ${names.get(game.player_a_id)} v ${names.get(game.player_b_id)}`,
      link: `/games/${game.id}`,
      subject: { type: 'game', id: game.id },
    });
  });
}

/** Brings back a deleted or undone hand of a game, in its old place if that is still free. */
export async function gameHandRestore({ db, gameId, handId, actorId = null, elo }: GameChange & { handId: number }): Promise<void> {
  await changeGame(db, gameId, async (trx, game) => {
    const stored = await trx('hands').where({ id: handId, game_id: gameId }).first();
    const hand = stored && isGameHand(stored) ? stored : undefined;
    if (!hand) throw new NotFoundError(`No hand ${handId} in game ${gameId}`);
    if (!hand.voided_at) return;
    if (hand.replaced_by_id) throw new ApplicationError('This hand was corrected; correct the new one instead.');
    const hands = await liveHands(trx, gameId);
    if (hands.some((h) => h.hand_number === hand.hand_number)) {
      throw new ApplicationError(`Another hand has taken place ${hand.hand_number} since; the old one cannot come back.`);
    }
    await trx('hands').where({ id: handId }).update({ voided_at: null, voided_by: null });
    await gameRefresh(trx, game, [...hands, hand].sort((x, y) => x.hand_number - y.hand_number));
    await ratingsRecompute({ db: trx, elo, from: earliest([hand]) });
    await noteGameHand(trx, game, hand, actorId, 'game.hand_restored', 'restored');
  });
}
