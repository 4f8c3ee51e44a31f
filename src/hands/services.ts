import type { Db } from '../db.js';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '../db.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { activityRecord, playerNames } from '../activity/services.js';
import { ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';
import { handPoints, OUTCOME_LABELS, type Outcome, type Rules } from '../scoring/rules.js';

export interface HandRecordInput {
  db: Db;
  rules: Rules;
  playerAId: number;
  playerBId: number;
  outcome: Outcome;
  /** Which of the two players won; absent for a draw. */
  winner?: 'a' | 'b' | undefined;
  deadwood?: number | undefined;
  idempotencyKey: string;
  playedAt?: Date;
  actorId?: number | null;
  elo?: EloSettings;
}

export interface RecordedHand {
  id: number;
  created: boolean;
}

/**
 * Records one hand and scores it with the league's current rules, which are stored with it.
 * Submitting the same idempotency key again returns the first hand and records nothing.
 */
export async function handRecord(input: HandRecordInput): Promise<RecordedHand> {
  const { db, rules, playerAId, playerBId, outcome, idempotencyKey } = input;
  const fields: Record<string, string> = {};
  if (playerAId === playerBId) fields.playerB = 'Pick two different players.';
  const isDraw = outcome === 'draw';
  if (!isDraw && !input.winner) fields.winner = 'Choose who won the hand.';
  if (!isDraw && input.deadwood === undefined) {
    fields.deadwood = 'Enter the deadwood difference, a whole number from 0 to 200.';
  }
  if (Object.keys(fields).length > 0) throw new ApplicationError('The hand was not saved.', { fields });

  const deadwood = isDraw ? null : (input.deadwood as number);
  const winnerId = isDraw ? null : input.winner === 'a' ? playerAId : playerBId;
  const row = {
    player_a_id: playerAId,
    player_b_id: playerBId,
    winner_id: winnerId,
    outcome,
    deadwood,
    points: deadwood === null ? 0 : handPoints(rules, outcome, deadwood),
    gin_bonus: rules.ginBonus,
    big_gin_bonus: rules.bigGinBonus,
    undercut_bonus: rules.undercutBonus,
    line_bonus: rules.lineBonus,
    idempotency_key: idempotencyKey,
    ...(input.playedAt ? { played_at: input.playedAt } : {}),
  };

  const actorId = input.actorId ?? null;
  try {
    return await db.transaction(async (trx) => {
      const inserted: { id: number; played_at: Date }[] = await trx('hands')
        .insert({ ...row, created_by: actorId })
        .onConflict('idempotency_key')
        .ignore()
        .returning(['id', 'played_at']);
      const first = inserted[0];
      if (!first) {
        const existing = await trx('hands').where({ idempotency_key: idempotencyKey }).first('id');
        return { id: (existing as { id: number }).id, created: false };
      }
      await ratingsRecompute({ db: trx, elo: input.elo, from: { playedAt: first.played_at, handId: first.id } });
      const names = await playerNames(trx, [playerAId, playerBId]);
      await activityRecord(trx, {
        actorId,
        action: 'hand.recorded',
        summary: `recorded ${handSentence(row, names)}`,
        link: '/',
        subject: { type: 'hand', id: first.id },
      });
      return { id: first.id, created: true };
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

interface HandFacts {
  player_a_id: number;
  player_b_id: number;
  winner_id: number | null;
  outcome: Outcome;
  points: number;
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

export async function handVoid(change: HandChange): Promise<void> {
  await handSetVoided(change, true);
}

export async function handRestore(change: HandChange): Promise<void> {
  await handSetVoided(change, false);
}

async function handSetVoided({ db, id, actorId = null, elo }: HandChange, voided: boolean) {
  await db.transaction(async (trx) => {
    const hand = await trx('hands').where({ id }).forUpdate().first();
    if (!hand) throw new NotFoundError(`No hand ${id}`);
    if (hand.game_id !== null) throw new ApplicationError('This hand belongs to a game: correct it on the game\'s page.');
    if ((hand.voided_at !== null) === voided) return; // already so: a repeated click changes nothing
    await trx('hands')
      .where({ id })
      .update(voided ? { voided_at: trx.fn.now(), voided_by: actorId } : { voided_at: null, voided_by: null });
    await ratingsRecompute({ db: trx, elo, from: { playedAt: hand.played_at, handId: hand.id } });
    const names = await playerNames(trx, [hand.player_a_id, hand.player_b_id]);
    await activityRecord(trx, {
      actorId,
      action: voided ? 'hand.voided' : 'hand.restored',
      summary: `${voided ? 'voided' : 'restored'} the hand ${handSentence(hand, names)}`,
      link: '/',
      subject: { type: 'hand', id },
    });
  });
}
