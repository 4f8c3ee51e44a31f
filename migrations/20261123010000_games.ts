import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('games', (t) => {
    t.increments('id').primary();
    t.integer('player_a_id').notNullable().references('id').inTable('players').onDelete('RESTRICT');
    t.integer('player_b_id').notNullable().references('id').inTable('players').onDelete('RESTRICT');
    t.string('first_dealer', 1).notNullable();
    t.string('preset', 20).notNullable();
    // The rule values, stored with the game and locked once its first hand is recorded.
    t.integer('gin_bonus').notNullable();
    t.integer('big_gin_bonus').nullable(); // null: no big gin in these rules
    t.integer('undercut_bonus').notNullable();
    t.integer('line_bonus').notNullable();
    t.integer('game_bonus').notNullable();
    t.integer('shutout_game_bonus').nullable();
    t.boolean('shutout_doubles').notNullable();
    t.integer('target').notNullable();
    t.integer('knock_limit').notNullable();
    t.boolean('oklahoma').notNullable();
    // Derived from the hands by the services on every change, kept here for lists and stats.
    t.string('status', 10).notNullable().defaultTo('active');
    t.integer('winner_id').nullable().references('id').inTable('players').onDelete('RESTRICT');
    t.integer('score_a').nullable();
    t.integer('score_b').nullable();
    t.integer('margin').nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.string('idempotency_key', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status']);
    t.index(['finished_at']);
  });
  await knex.raw(`
    alter table games
      add constraint games_distinct_players check (player_a_id <> player_b_id),
      add constraint games_first_dealer check (first_dealer in ('a', 'b')),
      add constraint games_status check (status in ('active', 'finished')),
      add constraint games_finished_has_winner check ((status = 'finished') = (winner_id is not null))
  `);

  await knex.schema.alterTable('hands', (t) => {
    t.integer('game_id').nullable().references('id').inTable('games').onDelete('RESTRICT');
    t.integer('hand_number').nullable();
    t.integer('deadwood_a').nullable();
    t.integer('deadwood_b').nullable();
    t.string('upcard', 3).nullable();
    t.boolean('doubled').notNullable().defaultTo(false);
    // Corrections keep the old row: a voided hand is hidden from scores and statistics,
    // and an edited one points at the row that replaced it.
    t.timestamp('voided_at', { useTz: true }).nullable();
    t.integer('replaced_by_id').nullable().references('id').inTable('hands');
  });
  await knex.raw(
    'create unique index hands_game_hand_number_unique on hands (game_id, hand_number) where voided_at is null and game_id is not null',
  );
  await knex.raw('create index hands_game_id on hands (game_id) where game_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists hands_game_id');
  await knex.raw('drop index if exists hands_game_hand_number_unique');
  await knex.schema.alterTable('hands', (t) => {
    t.dropColumn('replaced_by_id');
    t.dropColumn('voided_at');
    t.dropColumn('doubled');
    t.dropColumn('upcard');
    t.dropColumn('deadwood_b');
    t.dropColumn('deadwood_a');
    t.dropColumn('hand_number');
    t.dropColumn('game_id');
  });
  await knex.schema.dropTable('games');
}
