import type { Knex } from 'knex';

/*
 * Live pages (issue 16): the trigger that moves the league's version on every change also
 * announces the new version with NOTIFY, so that every web process (each LISTENs on one
 * connection of its own) hears every write, whichever process or tool made it. Postgres
 * delivers notifications at COMMIT, so a rolled-back write announces nothing.
 */
export const LEAGUE_CHANNEL = 'league_changes';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function league_version_bump() returns trigger language plpgsql as $$
    declare
      next_version bigint;
    begin
      update league_version set version = version + 1 where id = 1 returning version into next_version;
      perform pg_notify('${LEAGUE_CHANNEL}', next_version::text);
      return null;
    end $$
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function league_version_bump() returns trigger language plpgsql as $$
    begin
      update league_version set version = version + 1 where id = 1;
      return null;
    end $$
  `);
}
