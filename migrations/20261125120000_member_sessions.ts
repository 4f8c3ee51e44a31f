import type { Knex } from 'knex';

/*
 * One row per signed-in phone. The cookie carries a random session token; the row holds
 * its SHA-256 (a leaked table lets nobody in), who it is, and a keyed fingerprint of the
 * passcode it was opened with. Each request with a member cookie reads its row by primary
 * key: signing out ends the row, so every copy of the cookie stops working, and a new
 * passcode no longer matches any row's fingerprint, so everyone is signed out.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('member_sessions', (t) => {
    t.string('id', 64).primary();
    t.integer('player_id').notNullable().references('id').inTable('players');
    t.string('passcode_fingerprint', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true }).nullable();
    t.index(['player_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('member_sessions');
}
