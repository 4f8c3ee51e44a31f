import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db.js';
import { HANDS_CSV_COLUMNS } from './csv.js';

/** The hands that count, as a CSV that the import reads back (its first six columns). */
export async function handsCsvGet({ db, timeZone }: { db: Db; timeZone: string }): Promise<string> {
  const rows = await db('live_hands as h')
    .join('players as a', 'a.id', 'h.player_a_id')
    .join('players as b', 'b.id', 'h.player_b_id')
    .leftJoin('players as w', 'w.id', 'h.winner_id')
    .orderBy([{ column: 'h.played_at' }, { column: 'h.id' }])
    .select(
      db.raw(`to_char(h.played_at at time zone ?, 'YYYY-MM-DD HH24:MI') as date`, [timeZone]),
      'a.name as player_a',
      'b.name as player_b',
      'h.outcome',
      'w.name as winner',
      'h.deadwood',
      'h.points',
      'h.game_id',
      'h.hand_number',
    );
  return stringify(rows, { header: true, columns: [...HANDS_CSV_COLUMNS, 'points', 'game_id', 'hand_number'] });
}

export async function gamesCsvGet({ db, timeZone }: { db: Db; timeZone: string }): Promise<string> {
  const rows = await db('games as g')
    .join('players as a', 'a.id', 'g.player_a_id')
    .join('players as b', 'b.id', 'g.player_b_id')
    .leftJoin('players as w', 'w.id', 'g.winner_id')
    .whereNull('g.voided_at')
    .orderBy('g.id')
    .select(
      'g.id',
      db.raw(`to_char(g.created_at at time zone ?, 'YYYY-MM-DD HH24:MI') as started`, [timeZone]),
      db.raw(`to_char(g.finished_at at time zone ?, 'YYYY-MM-DD HH24:MI') as finished`, [timeZone]),
      'a.name as player_a',
      'b.name as player_b',
      'g.preset',
      'g.target',
      'g.status',
      'w.name as winner',
      'g.score_a',
      'g.score_b',
      'g.margin',
    );
  return stringify(rows, {
    header: true,
    columns: ['id', 'started', 'finished', 'player_a', 'player_b', 'preset', 'target', 'status', 'winner', 'score_a', 'score_b', 'margin'],
  });
}

export const BACKUP_FORMAT = 'gin-rummy-leaderboard';
export const BACKUP_TABLES = ['players', 'games', 'hands', 'activity'] as const;

export interface LeagueBackup {
  format: typeof BACKUP_FORMAT;
  version: 1;
  exportedAt: string;
  players: Record<string, unknown>[];
  games: Record<string, unknown>[];
  hands: Record<string, unknown>[];
  activity: Record<string, unknown>[];
}

/** Every row of the league, voided ones and the history included: a restore loses nothing. */
export async function leagueBackupGet({ db }: { db: Db }): Promise<LeagueBackup> {
  const [players, games, hands, activity] = await Promise.all(BACKUP_TABLES.map((t) => db(t).orderBy('id').select('*')));
  return { format: BACKUP_FORMAT, version: 1, exportedAt: new Date().toISOString(), players, games, hands, activity } as LeagueBackup;
}
