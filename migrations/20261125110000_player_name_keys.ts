import type { Knex } from 'knex';
import { playerNameKey, playerNameNormalise } from '../src/core/names.js';

/*
 * One identity rule for player names (src/players/name.ts): names are stored in NFC,
 * trimmed, whitespace collapsed, and two names are one person when their keys (NFKC, case
 * folded) are equal; players.name_key holds the key under a unique index, replacing the
 * unique index on lower(name).
 *
 * Leagues already hold look-alikes ("Bob" and "Ｂｏｂ") that the old index let in. This
 * migration must not fail on them, and must not merge people behind the league's back:
 * the oldest player of each look-alike group gets the key, the others keep their rows,
 * names and hands with name_key null. The players page lists them as look-alikes, to be
 * merged (or renamed) by someone who knows who they are. Names are put in the stored form
 * where that leaves them non-empty and within 40 characters; nothing else is changed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('players', (t) => {
    t.string('name_key', 200).nullable();
  });
  await knex.raw('drop index if exists players_name_lower_unique');
  const players = await knex('players').orderBy('id').select('id', 'name');
  const taken = new Set<string>();
  for (const p of players) {
    const normal = playerNameNormalise(p.name);
    const name = normal !== '' && [...normal].length <= 40 ? normal : p.name;
    const key = playerNameKey(name);
    const free = key !== '' && !taken.has(key);
    if (free) taken.add(key);
    await knex('players').where({ id: p.id }).update({ name, name_key: free ? key : null });
  }
  await knex.raw('create unique index players_name_key_unique on players (name_key)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists players_name_key_unique');
  await knex.schema.alterTable('players', (t) => {
    t.dropColumn('name_key');
  });
  // Fails (and the migration with it) if look-alikes differing only in case remain: the
  // old rule cannot hold them; rename or merge them first.
  await knex.raw('create unique index players_name_lower_unique on players (lower(name))');
}
