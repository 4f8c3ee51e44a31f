import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Who made each write; voiding keeps the row and says who hid it and when.
  await knex.schema.alterTable('players', (t) => {
    t.integer('created_by').nullable().references('id').inTable('players');
    t.string('idempotency_key', 64).nullable().unique();
  });
  await knex.schema.alterTable('hands', (t) => {
    t.integer('created_by').nullable().references('id').inTable('players');
    t.integer('voided_by').nullable().references('id').inTable('players');
  });
  await knex.schema.alterTable('games', (t) => {
    t.integer('created_by').nullable().references('id').inTable('players');
    t.timestamp('voided_at', { useTz: true }).nullable();
    t.integer('voided_by').nullable().references('id').inTable('players');
  });

  // The league's shared memory of what was written and corrected, by whom, when.
  await knex.schema.createTable('activity', (t) => {
    t.increments('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('actor_id').nullable().references('id').inTable('players');
    t.string('action', 40).notNullable();
    t.string('summary', 300).notNullable();
    t.string('link', 100).nullable();
    // What the write was about, so the activity page can offer to undo a void.
    t.string('subject_type', 20).nullable();
    t.integer('subject_id').nullable();
    t.index(['at']);
  });

  // The hands that count: not voided, and not in a voided game. Every statistic reads this.
  // (It lists hands' columns as they are now: a migration that adds one recreates it.)
  await knex.raw(`
    create view live_hands as
      select h.* from hands h
      left join games g on g.id = h.game_id
      where h.voided_at is null and g.voided_at is null
  `);

  // Sign-in attempts per client, shared by every web process.
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 200).primary();
    t.integer('hits').notNullable();
    t.timestamp('reset_at', { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
  await knex.raw('drop view live_hands');
  await knex.schema.dropTable('activity');
  await knex.schema.alterTable('games', (t) => {
    t.dropColumn('voided_by');
    t.dropColumn('voided_at');
    t.dropColumn('created_by');
  });
  await knex.schema.alterTable('hands', (t) => {
    t.dropColumn('voided_by');
    t.dropColumn('created_by');
  });
  await knex.schema.alterTable('players', (t) => {
    t.dropColumn('idempotency_key');
    t.dropColumn('created_by');
  });
}
