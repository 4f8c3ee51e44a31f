import type { Knex } from 'knex';

/*
 * A member's session is remembered by each web process for a moment instead of read on
 * every request (issue 17: the read was a fifth of a hand's cost). What could make a
 * remembered session wrong is a change to member_sessions (a sign-out, "all my phones")
 * or to players (a rename, a merge): each is announced on MEMBERS_CHANNEL, at commit,
 * whichever process or tool made it, and every process forgets what it remembered.
 * Inserts are not announced: a new session or player changes no remembered one.
 */
export const MEMBERS_CHANNEL = 'member_changes';

const TABLES = ['member_sessions', 'players'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function members_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${MEMBERS_CHANNEL}', '');
      return null;
    end $$
  `);
  for (const table of TABLES) {
    await knex.raw(`create trigger ${table}_members_changed after update or delete or truncate on ${table} for each statement execute function members_changed()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TABLES) await knex.raw(`drop trigger if exists ${table}_members_changed on ${table}`);
  await knex.raw('drop function if exists members_changed()');
}
