import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Each player's Elo rating before and after every hand that counts, kept so that pages
  // read ratings instead of replaying history; rewritten from a corrected hand onwards.
  await knex.schema.createTable('ratings', (t) => {
    t.integer('hand_id').notNullable().references('id').inTable('hands').onDelete('CASCADE');
    t.integer('player_id').notNullable().references('id').inTable('players');
    t.timestamp('played_at', { useTz: true }).notNullable();
    t.double('before').notNullable();
    t.double('after').notNullable();
    t.primary(['hand_id', 'player_id']);
  });
  await knex.raw('create index ratings_player_time on ratings (player_id, played_at desc, hand_id desc)');
  await knex.raw('create index ratings_time on ratings (played_at, hand_id)');

  // The player and head-to-head pages read one player's or one pair's hands in time order.
  await knex.raw('create index hands_player_a_time on hands (player_a_id, played_at) where voided_at is null');
  await knex.raw('create index hands_player_b_time on hands (player_b_id, played_at) where voided_at is null');
  await knex.raw('create index hands_live_time on hands (played_at, id) where voided_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists hands_live_time');
  await knex.raw('drop index if exists hands_player_b_time');
  await knex.raw('drop index if exists hands_player_a_time');
  await knex.schema.dropTable('ratings');
}
