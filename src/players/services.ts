import type { Db } from '../db.js';
import { PG_UNIQUE_VIOLATION, pgErrorCode, writeTransaction } from '../db.js';
import { requestKey } from '../core/idempotency.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { activityRecord } from '../activity/services.js';
import { nameTakenMessage, playerNameCheck } from '../core/names.js';
import type { PlayerRow } from '../core/tables.js';

/** A player as lists and messages name them. */
export type Player = Pick<PlayerRow, 'id' | 'name'>;

/** The stored form and key of a name, or the rule's message as an ApplicationError on `name`. */
export function playerNameOrFail(raw: string): { name: string; key: string } {
  const r = playerNameCheck(raw);
  if (!r.ok) throw new ApplicationError(r.message, { fields: { name: r.message } });
  return r;
}

/** The player already holding a name's key, as stored (their name exactly as the league knows it). */
export async function playerByKey(db: Db, key: string, exceptId?: number): Promise<Player | undefined> {
  const q = db('players').where({ name_key: key });
  if (exceptId !== undefined) q.whereNot({ id: exceptId });
  return q.first('id', 'name');
}

function nameTaken(existing: Player): ApplicationError {
  const message = nameTakenMessage(existing.name);
  return new ApplicationError(message, { fields: { name: message } });
}

/**
 * Adds a player. The name follows the identity rule; a look-alike of an existing player is
 * refused, naming them. Uniqueness is the database's unique index on the key, not only the
 * prior read; the same form submitted twice adds the player once and answers the same.
 */
export async function playerCreate({
  db,
  name: raw,
  actorId = null,
  idempotencyKey: token,
  joining = false,
}: {
  db: Db;
  name: string;
  actorId?: number | null;
  idempotencyKey?: string;
  /** Someone new signing in adds themselves: the log says they joined, not that someone added them. */
  joining?: boolean;
}): Promise<Player> {
  const { name, key } = playerNameOrFail(raw);
  // The form's token with the name it sent: a resend adds nothing, another name is another player.
  const idempotencyKey = token === undefined ? undefined : requestKey(token, { kind: 'player', key });
  try {
    return await writeTransaction(db, async (trx) => {
      if (idempotencyKey) {
        const earlier = await trx('players').where({ idempotency_key: idempotencyKey }).first('id', 'name');
        if (earlier) return earlier;
      }
      const existing = await playerByKey(trx, key);
      if (existing) throw nameTaken(existing);
      const [player] = await trx('players')
        .insert({ name, name_key: key, created_by: actorId, idempotency_key: idempotencyKey ?? null })
        .returning(['id', 'name']);
      if (!player) throw new Error('The player was not stored');
      if (joining) await trx('players').where({ id: player.id }).update({ created_by: player.id });
      await activityRecord(trx, {
        actorId: joining ? player.id : actorId,
        action: 'player.created',
        summary: joining ? 'joined the league' : `added the player ${player.name}`,
        link: `/players/${player.id}`,
        subject: { type: 'player', id: player.id },
      });
      return player;
    });
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
      // A double submission racing its twin lands here too: answer as the first one did.
      const earlier = idempotencyKey ? await db('players').where({ idempotency_key: idempotencyKey }).first('id', 'name') : undefined;
      if (earlier) return earlier;
      const existing = await playerByKey(db, key);
      if (existing) throw nameTaken(existing);
    }
    throw err;
  }
}

export async function playerRename({
  db,
  id,
  name: raw,
  actorId = null,
}: {
  db: Db;
  id: number;
  name: string;
  actorId?: number | null;
}): Promise<Player> {
  const { name, key } = playerNameOrFail(raw);
  try {
    return await writeTransaction(db, async (trx) => {
      const before = await trx('players').where({ id }).whereNull('merged_into_id').forUpdate().first('name');
      if (!before) throw new NotFoundError(`No player with id ${id}`);
      const existing = await playerByKey(trx, key, id);
      if (existing) throw nameTaken(existing);
      const [player] = await trx('players').where({ id }).update({ name, name_key: key }).returning(['id', 'name']);
      if (!player) throw new NotFoundError(`No player with id ${id}`);
      if (before.name !== player.name) {
        await activityRecord(trx, { actorId, action: 'player.renamed', summary: `renamed ${before.name} to ${player.name}`, link: `/players/${id}`, subject: { type: 'player', id } });
      }
      return player;
    });
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
      const existing = await playerByKey(db, key, id);
      if (existing) throw nameTaken(existing);
    }
    throw err;
  }
}

/**
 * Refuses a hand or game whose players are not both in the league (one may have been
 * merged into another since the form was opened). Read inside the writer's transaction.
 */
export async function playersAssertLive(trx: Db, ids: number[], refused: string): Promise<void> {
  const live = await trx('players').whereIn('id', ids).whereNull('merged_into_id').count({ n: '*' });
  if (Number(live[0]?.n) < new Set(ids).size) {
    throw new ApplicationError(refused, { fields: { playerA: 'Choose players from the list; one of them no longer exists in the league (merged into another or removed).' } });
  }
}
