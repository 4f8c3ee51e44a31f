import type { Db } from '../db.js';
import { handRulesColumns, type HandRow } from '../core/tables.js';
import { currentWriteLog, noteWrite, PG_FOREIGN_KEY_VIOLATION, pgErrorCode, pgliteIf, rawRows, writeTransaction } from '../db.js';
import { NOT_LATEST } from '../../migrations/20261203080000_hand_record_function.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { activityRecord, playerNames } from '../activity/services.js';
import { playersAssertLive } from '../players/services.js';
import { DEFAULT_ELO, ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';
import { DEADWOOD_MESSAGE, OUTCOME_LABELS, type Outcome, type Rules } from '../scoring/rules.js';
import { quickHandRules, scoreGameHand } from '../scoring/game.js';
import { requestKey } from '../core/idempotency.js';

export interface HandRecordInput {
  db: Db;
  rules: Rules;
  playerAId: number;
  playerBId: number;
  outcome: Outcome;
  /** Which of the two players won; absent for a draw. */
  winner?: 'a' | 'b' | undefined;
  deadwood?: number | undefined;
  /** The form's one-time token; the hand is stored under it together with its content. */
  idempotencyKey: string;
  playedAt?: Date;
  actorId?: number | null;
  elo?: EloSettings;
}

export interface RecordedHand {
  id: number;
  /** False when this very hand had been sent before: nothing new was stored. */
  created: boolean;
  /** "Alice +27 (gin)", read inside the transaction, so it can be shown whatever happens after the commit. */
  headline: string;
}

/** The key a quick hand is stored under: its form's token with what the form said. */
export const quickHandKey = (token: string, hand: Pick<HandRecordInput, 'playerAId' | 'playerBId' | 'outcome' | 'winner' | 'deadwood'>): string =>
  requestKey(token, { kind: 'hand', playerAId: hand.playerAId, playerBId: hand.playerBId, outcome: hand.outcome, winner: hand.winner, deadwood: hand.deadwood });


/**
 * Records one hand and scores it with the league's current rules, which are stored with it.
 * The same form sent again (same token, same hand) returns the first hand and records
 * nothing; a different hand under a spent token is a new hand (see requestKey).
 */
export async function handRecord(input: HandRecordInput): Promise<RecordedHand> {
  const { db, rules, playerAId, playerBId, outcome } = input;
  const scored = scoreGameHand(quickHandRules(rules), { outcome, winner: input.winner, difference: input.deadwood });
  const fields: Record<string, string> = scored.ok ? {} : { ...scored.errors };
  // The quick form has one deadwood box, the difference: ask for that, not for counts.
  if (fields.deadwood && input.deadwood === undefined) fields.deadwood = DEADWOOD_MESSAGE;
  if (playerAId === playerBId) fields.playerB = 'Pick two different players.';
  if (!scored.ok || Object.keys(fields).length > 0) throw new ApplicationError('The hand was not saved.', { fields });
  const hand = scored.hand;

  const winnerId = hand.winner === 'a' ? playerAId : hand.winner === 'b' ? playerBId : null;
  const idempotencyKey = quickHandKey(input.idempotencyKey, input);
  const rulesColumns = handRulesColumns(rules);
  const facts = { player_a_id: playerAId, player_b_id: playerBId, winner_id: winnerId, outcome: hand.outcome, points: hand.points };
  const elo = input.elo ?? DEFAULT_ELO;
  const args = (mustAppend: boolean): HandRecordArgs => [
    playerAId,
    playerBId,
    winnerId,
    hand.outcome,
    hand.difference,
    hand.points,
    rulesColumns.gin_bonus,
    rulesColumns.big_gin_bonus,
    rulesColumns.undercut_bonus,
    rulesColumns.line_bonus,
    idempotencyKey,
    input.actorId ?? null,
    input.playedAt ?? null,
    elo.start,
    elo.k,
    `recorded ${sentenceTemplate(facts)}`,
    '/',
    mustAppend,
  ];

  /** The answer as the service's: the hand stored, or the one sent before under the key. */
  const recorded = async (stored: HandRecordAnswer | undefined, trx: Db): Promise<RecordedHand> => {
    // No row: a player is gone (merged or removed). Say which way, as every other write does.
    if (!stored) {
      await playersAssertLive(trx, [playerAId, playerBId], 'The hand was not saved.');
      throw new Error('hand_record stored nothing, yet both players are in the league');
    }
    const names = new Map([
      [playerAId, stored.a_name],
      [playerBId, stored.b_name],
    ]);
    if (!stored.is_new) {
      const first = { ...facts, winner_id: stored.stored_winner_id, outcome: stored.stored_outcome, points: stored.stored_points };
      return { id: stored.hand_id, created: false, headline: handHeadline(first, names) };
    }
    return { id: stored.hand_id, created: true, headline: handHeadline(facts, names) };
  };

  try {
    // On a PostgreSQL server, the hand of now goes in one round trip, the commit included:
    // the lock every write holds (the league_version row) is then never held across the
    // network. A hand for an earlier time needs a recompute, which goes the long way.
    if (!pgliteIf(db) && !db.isTransaction && input.playedAt === undefined) {
      const stored = await handRecordInOneTrip(db, args(true));
      if (stored !== NOT_LATEST) return await recorded(stored, db);
    }
    return await writeTransaction(db, async (trx) => {
      const [stored] = await rawRows<HandRecordAnswer>(trx, HAND_RECORD_CALL, args(false));
      // Not the latest hand (an earlier time of play): its ratings come from a replay.
      if (stored?.is_new && !stored.is_rated) await ratingsRecompute({ db: trx, elo, from: { playedAt: stored.hand_played_at, handId: stored.hand_id } });
      return recorded(stored, trx);
    });
  } catch (err) {
    if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) {
      throw new ApplicationError('The hand was not saved.', {
        fields: { playerA: 'Choose players from the list; one of them no longer exists.' },
      });
    }
    throw err;
  }
}

/** hand_record's parameters' types, in order (migrations/20261203080000_hand_record_function.ts). */
const HAND_RECORD_PARAMS = [
  'integer', 'integer', 'integer', 'text', 'integer', 'integer', 'integer', 'integer', 'integer', 'integer',
  'text', 'integer', 'timestamptz', 'double precision', 'double precision', 'text', 'text', 'boolean',
] as const;
type HandRecordArgs = (string | number | boolean | Date | null)[];

/** The call, with its parameters' types. */
const HAND_RECORD_CALL = `select * from hand_record(${HAND_RECORD_PARAMS.map((t) => `?::${t}`).join(', ')})`;

/**
 * hand_record as one statement outside any transaction: PostgreSQL runs it in a transaction
 * of its own and commits it before answering, so the hand, its ratings, its line in the log
 * and the notice go in one round trip, the commit included (a function is atomic: an error
 * anywhere in it stores nothing). Answers NOT_LATEST, having stored nothing, when the hand
 * would need a recompute.
 *
 * An outage tells the truth as writeTransaction's do: no connection, nothing sent, nothing
 * saved; a connection lost once the statement went out may have committed (databaseOutage).
 */
async function handRecordInOneTrip(db: Db, args: HandRecordArgs): Promise<HandRecordAnswer | undefined | typeof NOT_LATEST> {
  // A select that writes: the page cache's watch for writes (src/live/version.ts) knows
  // writes by their SQL, so it is told, as the statement goes out and once it has ended.
  noteWrite(db);
  try {
    const [stored] = await rawRows<HandRecordAnswer>(db, HAND_RECORD_CALL, args);
    // As writeTransaction notes its commits (src/db.ts): what an error page may then say.
    const log = currentWriteLog();
    if (log && stored) log.committed += 1;
    return stored;
  } catch (err) {
    if (pgErrorCode(err) === NOT_LATEST) return NOT_LATEST;
    throw err;
  } finally {
    noteWrite(db);
  }
}

/** What hand_record answers. */
interface HandRecordAnswer {
  is_new: boolean;
  /** False when the hand is not the latest: nothing appended, the caller recomputes. */
  is_rated: boolean;
  hand_id: number;
  hand_played_at: Date;
  a_name: string;
  b_name: string;
  /** The stored hand's facts: this one's, or the first one's when it was sent before. */
  stored_winner_id: number | null;
  stored_outcome: Outcome;
  stored_points: number;
}

/**
 * handSentence as a format() template for hand_record, which knows the names: %1$s for
 * player A, %2$s for player B, any other % doubled.
 */
function sentenceTemplate(hand: HandFacts): string {
  const [a, b] = ['\u0000A', '\u0000B'];
  const sentence = handSentence(hand, new Map([[hand.player_a_id, a], [hand.player_b_id, b]]));
  return sentence.replaceAll('%', '%%').replaceAll(a, '%1$s').replaceAll(b, '%2$s');
}

type HandFacts = Pick<HandRow, 'player_a_id' | 'player_b_id' | 'winner_id' | 'outcome' | 'points'>;

/** "Alice +27 (gin)", or "Draw between Alice and Bob.", for the message after saving. */
export function handHeadline(hand: HandFacts, names: Map<number, string>): string {
  const a = names.get(hand.player_a_id) ?? '?';
  const b = names.get(hand.player_b_id) ?? '?';
  if (hand.outcome === 'draw' || hand.winner_id === null) return `Draw between ${a} and ${b}.`;
  return `${names.get(hand.winner_id) ?? '?'} +${hand.points} (${OUTCOME_LABELS[hand.outcome]})`;
}

/** "Alice +27 (gin) v Bob", for the activity log. */
export function handSentence(hand: HandFacts, names: Map<number, string>): string {
  const a = names.get(hand.player_a_id) ?? '?';
  const b = names.get(hand.player_b_id) ?? '?';
  if (hand.outcome === 'draw' || hand.winner_id === null) return `a draw between ${a} and ${b}`;
  const winner = names.get(hand.winner_id) ?? '?';
  const loser = hand.winner_id === hand.player_a_id ? b : a;
  return `${winner} +${hand.points} (${OUTCOME_LABELS[hand.outcome]}) v ${loser}`;
}

/**
 * Hides a quick hand from the scores, keeping the row; handRestore brings it back.
 * Hands of a game are corrected on its scorepad instead.
 */
type HandChange = { db: Db; id: number; actorId?: number | null; elo?: EloSettings };

/** Returns the hand's sentence ("Alice +27 (gin) v Bob") for the confirmation. */
export async function handVoid(change: HandChange): Promise<string> {
  return handSetVoided(change, true);
}

export async function handRestore(change: HandChange): Promise<string> {
  return handSetVoided(change, false);
}

async function handSetVoided({ db, id, actorId = null, elo }: HandChange, voided: boolean): Promise<string> {
  return writeTransaction(db, async (trx) => {
    const hand = await trx('hands').where({ id }).forUpdate().first();
    if (!hand) throw new NotFoundError(`No hand ${id}`);
    if (hand.game_id !== null) throw new ApplicationError('This hand belongs to a game: correct it on the game\'s page.');
    const names = await playerNames(trx, [hand.player_a_id, hand.player_b_id]);
    const sentence = handSentence(hand, names);
    if ((hand.voided_at !== null) === voided) return sentence; // already so: a repeated click changes nothing
    await trx('hands')
      .where({ id })
      .update(voided ? { voided_at: trx.fn.now(), voided_by: actorId } : { voided_at: null, voided_by: null });
    await ratingsRecompute({ db: trx, elo, from: { playedAt: hand.played_at, handId: hand.id } });
    await activityRecord(trx, {
      actorId,
      action: voided ? 'hand.voided' : 'hand.restored',
      summary: `${voided ? 'voided' : 'restored'} the hand ${sentence}`,
      link: '/',
      subject: { type: 'hand', id },
    });
    return sentence;
  });
}
