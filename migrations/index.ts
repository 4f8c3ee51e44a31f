import type { Knex } from 'knex';
import * as playersAndHands from './20261123000000_players_and_hands.js';
import * as games from './20261123010000_games.js';
import * as membersAndHistory from './20261123020000_members_and_history.js';
import * as ratingsAndIndexes from './20261123030000_ratings_and_indexes.js';
import * as leagueVersion from './20261123040000_league_version.js';
import * as millisecondTimes from './20261123050000_millisecond_times.js';
import * as playerNameKeys from './20261125110000_player_name_keys.js';
import * as importsAndMerges from './20261125110100_imports_and_merges.js';
import * as memberSessions from './20261125120000_member_sessions.js';
import * as abandonedGames from './20261125140000_abandoned_games.js';
import * as leagueVersionNotify from './20261202180000_league_version_notify.js';
import * as handRecordFunction from './20261203080000_hand_record_function.js';
import * as handRecordLatestProbe from './20261203150000_hand_record_latest_probe.js';
import * as membersNotify from './20261204120000_members_notify.js';

/*
 * Migrations are listed here rather than discovered on disk, so the same list runs under
 * the compiled build, tsx and vitest without Knex having to load TypeScript itself.
 * Add each new migration to the end of this list.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261123000000_players_and_hands': playersAndHands,
  '20261123010000_games': games,
  '20261123020000_members_and_history': membersAndHistory,
  '20261123030000_ratings_and_indexes': ratingsAndIndexes,
  '20261123040000_league_version': leagueVersion,
  '20261123050000_millisecond_times': millisecondTimes,
  '20261125110000_player_name_keys': playerNameKeys,
  '20261125110100_imports_and_merges': importsAndMerges,
  '20261125120000_member_sessions': memberSessions,
  '20261125140000_abandoned_games': abandonedGames,
  '20261202180000_league_version_notify': leagueVersionNotify,
  '20261203080000_hand_record_function': handRecordFunction,
  '20261203150000_hand_record_latest_probe': handRecordLatestProbe,
  '20261204120000_members_notify': membersNotify,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations)),
  getMigrationName: (name) => name,
  getMigration: (name) => {
    const migration = migrations[name];
    return migration ? Promise.resolve(migration) : Promise.reject(new Error(`Unknown migration ${name}`));
  },
};
