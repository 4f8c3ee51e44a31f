import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('players', (t) => {
    t.increments('id').primary();
    t.string('name', 40).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Names are unique ignoring case: "alice" and "Alice" are the same person.
  await knex.raw('create unique index players_name_lower_unique on players (lower(name))');

  await knex.schema.createTable('hands', (t) => {
    t.increments('id').primary();
    t.timestamp('played_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('player_a_id').notNullable().references('id').inTable('players').onDelete('RESTRICT');
    t.integer('player_b_id').notNullable().references('id').inTable('players').onDelete('RESTRICT');
    t.integer('winner_id').nullable().references('id').inTable('players').onDelete('RESTRICT');
    t.string('outcome', 16).notNullable();
    t.integer('deadwood').nullable();
    t.integer('points').notNullable();
    // The rule values the hand was scored with: changing the defaults never rewrites history.
    t.integer('gin_bonus').notNullable();
    t.integer('big_gin_bonus').notNullable();
    t.integer('undercut_bonus').notNullable();
    t.integer('line_bonus').notNullable();
    // One form submission, one hand: a double tap or a retry reuses the same key.
    t.string('idempotency_key', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['played_at']);
  });
  await knex.raw(`
    alter table hands
      add constraint hands_distinct_players check (player_a_id <> player_b_id),
      add constraint hands_outcome_known check (outcome in ('knock', 'gin', 'big_gin', 'undercut', 'draw')),
      add constraint hands_winner_is_player check (
        (outcome = 'draw' and winner_id is null and deadwood is null and points = 0)
        or (outcome <> 'draw' and winner_id in (player_a_id, player_b_id) and deadwood between 0 and 200)
      )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hands');
  await knex.schema.dropTable('players');
}
