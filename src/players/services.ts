import type { Db } from '../db.js';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../db.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { activityRecord } from '../activity/services.js';

export interface Player {
  id: number;
  name: string;
}

function nameTaken(name: string): ApplicationError {
  return new ApplicationError(`There is already a player called ${name}.`, {
    fields: { name: `There is already a player called ${name}. Names are unique, ignoring case.` },
  });
}

/**
 * Adds a player. Uniqueness (ignoring case) is the database's unique index, not a prior
 * read; the same form submitted twice adds the player once and answers the same.
 */
export async function playerCreate({
  db,
  name,
  actorId = null,
  idempotencyKey,
}: {
  db: Db;
  name: string;
  actorId?: number | null;
  idempotencyKey?: string;
}): Promise<Player> {
  try {
    return await db.transaction(async (trx) => {
      if (idempotencyKey) {
        const earlier = await trx('players').where({ idempotency_key: idempotencyKey }).first('id', 'name');
        if (earlier) return earlier as Player;
      }
      const [row] = await trx('players')
        .insert({ name, created_by: actorId, idempotency_key: idempotencyKey ?? null })
        .returning(['id', 'name']);
      const player = row as Player;
      await activityRecord(trx, { actorId, action: 'player.created', summary: `added the player ${player.name}`, link: '/players', subject: { type: 'player', id: player.id } });
      return player;
    });
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
      // A double submission racing its twin lands here too: answer as the first one did.
      const earlier = idempotencyKey ? await db('players').where({ idempotency_key: idempotencyKey }).first('id', 'name') : undefined;
      if (earlier) return earlier as Player;
      throw nameTaken(name);
    }
    throw err;
  }
}

export async function playerRename({
  db,
  id,
  name,
  actorId = null,
}: {
  db: Db;
  id: number;
  name: string;
  actorId?: number | null;
}): Promise<Player> {
  try {
    return await db.transaction(async (trx) => {
      const before = await trx('players').where({ id }).forUpdate().first('name');
      if (!before) throw new NotFoundError(`No player with id ${id}`);
      const [row] = await trx('players').where({ id }).update({ name }).returning(['id', 'name']);
      const player = row as Player;
      if (before.name !== player.name) {
        await activityRecord(trx, { actorId, action: 'player.renamed', summary: `renamed ${before.name} to ${player.name}`, link: '/players', subject: { type: 'player', id } });
      }
      return player;
    });
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw nameTaken(name);
    throw err;
  }
}
