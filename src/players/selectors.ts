import type { Db } from '../db.js';
import { playerNameKey } from '../core/names.js';
import type { Player } from './services.js';

/** The players of the league (merged ones are gone from every list), by name. */
export async function playerList({ db }: { db: Db }): Promise<Player[]> {
  return db('players').whereNull('merged_into_id').select('id', 'name').orderByRaw('lower(name), id');
}

export interface PlayerListed extends Player {
  /** An older player this one's name is a look-alike of (a pair kept from before the name rule). */
  lookAlikeOf: Player | null;
}

/** The players page: everyone, and for each look-alike kept from before the rule, whom they look like. */
export async function playerListWithLookAlikes({ db }: { db: Db }): Promise<PlayerListed[]> {
  const rows = await db('players').whereNull('merged_into_id').select('id', 'name', 'name_key').orderByRaw('lower(name), id');
  const byKey = new Map<string, Player>();
  for (const p of [...rows].sort((x, y) => x.id - y.id)) {
    const key = p.name_key ?? playerNameKey(p.name);
    if (!byKey.has(key)) byKey.set(key, { id: p.id, name: p.name });
  }
  return rows.map((p) => {
    const first = p.name_key === null ? byKey.get(playerNameKey(p.name)) : undefined;
    return { id: p.id, name: p.name, lookAlikeOf: first && first.id !== p.id ? first : null };
  });
}

export interface MergeForm {
  player: Player & { hands: number; games: number };
  others: Player[];
}

/** The merge page of a player still in the league: how much would move, and where to. */
export async function playerMergeFormGet({ db, id }: { db: Db; id: number }): Promise<MergeForm | undefined> {
  const player = await db('players').where({ id }).whereNull('merged_into_id').first('id', 'name');
  if (!player) return undefined;
  const count = async (table: 'hands' | 'games') => {
    const [row] = await db(table)
      .where((w) => {
        w.where('player_a_id', id).orWhere('player_b_id', id);
      })
      .whereNull('voided_at')
      .count({ n: '*' });
    return Number(row?.n);
  };
  const [hands, games, all] = await Promise.all([count('hands'), count('games'), playerList({ db })]);
  return { player: { ...player, hands, games }, others: all.filter((p) => p.id !== id) };
}
