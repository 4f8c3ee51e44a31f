import type { Db } from '../db.js';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../db.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';

export interface Player {
  id: number;
  name: string;
}

function nameTaken(name: string): ApplicationError {
  return new ApplicationError(`There is already a player called ${name}.`, {
    fields: { name: `There is already a player called ${name}. Names are unique, ignoring case.` },
  });
}

/** Adds a player. Uniqueness (ignoring case) is the database's unique index, not a prior read. */
export async function playerCreate({ db, name }: { db: Db; name: string }): Promise<Player> {
  try {
    const [row] = await db('players').insert({ name }).returning(['id', 'name']);
    return row as Player;
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw nameTaken(name);
    throw err;
  }
}

export async function playerRename({ db, id, name }: { db: Db; id: number; name: string }): Promise<Player> {
  try {
    const [row] = await db('players').where({ id }).update({ name }).returning(['id', 'name']);
    if (!row) throw new NotFoundError(`No player with id ${id}`);
    return row as Player;
  } catch (err) {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw nameTaken(name);
    throw err;
  }
}
