import type { Db } from '../db.js';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '../db.js';
import { ApplicationError } from '../core/errors.js';
import { handPoints, type Outcome, type Rules } from '../scoring/rules.js';

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

  let inserted: { id: number }[];
  try {
    inserted = await db('hands').insert(row).onConflict('idempotency_key').ignore().returning('id');
  } catch (err) {
    if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) {
      throw new ApplicationError('The hand was not saved.', {
        fields: { playerA: 'Choose players from the list; one of them no longer exists.' },
      });
    }
    throw err;
  }
  const first = inserted[0];
  if (first) return { id: first.id, created: true };
  const existing = await db('hands').where({ idempotency_key: idempotencyKey }).first('id');
  return { id: (existing as { id: number }).id, created: false };
}
