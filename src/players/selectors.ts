import type { Db } from '../db.js';
import type { Player } from './services.js';

export async function playerList({ db }: { db: Db }): Promise<Player[]> {
  return db('players').select('id', 'name').orderByRaw('lower(name), id');
}
