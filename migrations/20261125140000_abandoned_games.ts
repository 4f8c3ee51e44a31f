import type { Knex } from 'knex';

/*
 * A game the players walked away from: kept with its hands and its history, off the list of
 * unfinished games. It never finished, so it was never in the game standings; its hands
 * were played and count as hands, like any other (void the game to take those out too).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('games', (t) => {
    t.timestamp('abandoned_at', { useTz: true }).nullable();
    t.integer('abandoned_by').nullable().references('id').inTable('players');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('games', (t) => {
    t.dropColumn('abandoned_by');
    t.dropColumn('abandoned_at');
  });
}
