import type { Knex } from 'knex';

/*
 * Times of play to the millisecond, as JavaScript holds them. Ratings are rewritten "from
 * this hand onwards" by comparing (played_at, id) pairs that have been through a JS Date;
 * with microseconds in the database, two hands in the same millisecond could compare one
 * way in SQL and the other after the round trip (found by the concurrent-hands test).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("alter table hands alter column played_at set default date_trunc('milliseconds', now())");
  await knex.raw("update hands set played_at = date_trunc('milliseconds', played_at) where played_at <> date_trunc('milliseconds', played_at)");
  await knex.raw("update ratings set played_at = date_trunc('milliseconds', played_at) where played_at <> date_trunc('milliseconds', played_at)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table hands alter column played_at set default now()');
}
