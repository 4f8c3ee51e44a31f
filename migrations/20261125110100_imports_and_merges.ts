import type { Knex } from 'knex';

/*
 * An import of past hands is one thing that can be undone: each hand it added points at
 * it. A merge of two players moves the one's hands and games to the other and remembers
 * which rows it moved, so that it can be undone exactly; the merged player keeps its row
 * (history still names it) with merged_into_id set, and drops out of every list.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('imports', (t) => {
    t.increments('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('created_by').nullable().references('id').inTable('players');
    t.integer('hands').notNullable();
    t.timestamp('undone_at', { useTz: true }).nullable();
    t.integer('undone_by').nullable().references('id').inTable('players');
  });
  await knex.schema.alterTable('hands', (t) => {
    t.integer('import_id').nullable().references('id').inTable('imports');
  });
  await knex.raw('create index hands_import_id on hands (import_id) where import_id is not null');

  await knex.schema.alterTable('players', (t) => {
    t.integer('merged_into_id').nullable().references('id').inTable('players');
  });
  await knex.schema.createTable('merges', (t) => {
    t.increments('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('created_by').nullable().references('id').inTable('players');
    t.integer('from_player_id').notNullable().references('id').inTable('players');
    t.integer('into_player_id').notNullable().references('id').inTable('players');
    // { hands: { player_a_id: [ids], player_b_id: [...], winner_id: [...] }, games: {...}, keys: {...} }
    t.jsonb('moved').notNullable();
    t.timestamp('undone_at', { useTz: true }).nullable();
    t.integer('undone_by').nullable().references('id').inTable('players');
  });
  await knex.raw('alter table merges add constraint merges_two_players check (from_player_id <> into_player_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('merges');
  await knex.schema.alterTable('players', (t) => {
    t.dropColumn('merged_into_id');
  });
  await knex.raw('drop index if exists hands_import_id');
  await knex.schema.alterTable('hands', (t) => {
    t.dropColumn('import_id');
  });
  await knex.schema.dropTable('imports');
}
