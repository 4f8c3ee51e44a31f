import type { Knex } from 'knex';

/*
 * A counter that every change to the league's data moves on, kept by triggers so that no
 * write can forget it. Web processes key their read caches by it: a process asks the
 * database for the version on each request, so it never serves data older than what the
 * database holds, whatever the other processes did.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create table league_version (id integer primary key check (id = 1), version bigint not null)');
  await knex.raw('insert into league_version (id, version) values (1, 1)');
  await knex.raw(`
    create function league_version_bump() returns trigger language plpgsql as $$
    begin
      update league_version set version = version + 1 where id = 1;
      return null;
    end $$
  `);
  for (const table of ['players', 'hands', 'games']) {
    await knex.raw(`create trigger ${table}_bump_version after insert or update or delete or truncate on ${table} for each statement execute function league_version_bump()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['players', 'hands', 'games']) await knex.raw(`drop trigger if exists ${table}_bump_version on ${table}`);
  await knex.raw('drop function if exists league_version_bump()');
  await knex.raw('drop table league_version');
}
