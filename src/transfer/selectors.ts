import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db.js';
import type { ActivityRow, GameRow, HandRow, ImportRecordRow, MergeRow, PlayerRow } from '../core/tables.js';
import { playerNameKey } from '../core/names.js';
import { csvSafeRows, handContentKey, HANDS_CSV_COLUMNS, importPlan, rowContentKey, type ImportPlan, type ImportRow, type RepeatChoice } from './csv.js';

/** The hands that count, as a CSV that the import reads back (its first six columns). */
export async function handsCsvGet({ db, timeZone }: { db: Db; timeZone: string }): Promise<string> {
  const rows = await db('live_hands as h')
    .join('players as a', 'a.id', 'h.player_a_id')
    .join('players as b', 'b.id', 'h.player_b_id')
    .leftJoin('players as w', 'w.id', 'h.winner_id')
    .orderBy([{ column: 'h.played_at' }, { column: 'h.id' }])
    .select<Record<string, unknown>[]>(
      // To the second: a league rebuilt from its own export orders its hands as the original did.
    db.raw(`to_char(h.played_at at time zone ?, 'YYYY-MM-DD HH24:MI:SS') as date`, [timeZone]),
      'a.name as player_a',
      'b.name as player_b',
      'h.outcome',
      'w.name as winner',
      'h.deadwood',
      'h.points',
      'h.game_id',
      'h.hand_number',
    );
  return stringify(csvSafeRows(rows), { header: true, columns: [...HANDS_CSV_COLUMNS, 'points', 'game_id', 'hand_number'] });
}

export async function gamesCsvGet({ db, timeZone }: { db: Db; timeZone: string }): Promise<string> {
  const rows = await db('games as g')
    .join('players as a', 'a.id', 'g.player_a_id')
    .join('players as b', 'b.id', 'g.player_b_id')
    .leftJoin('players as w', 'w.id', 'g.winner_id')
    .whereNull('g.voided_at')
    .orderBy('g.id')
    .select<Record<string, unknown>[]>(
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
  return stringify(csvSafeRows(rows), {
    header: true,
    columns: ['id', 'started', 'finished', 'player_a', 'player_b', 'preset', 'target', 'status', 'winner', 'score_a', 'score_b', 'margin'],
  });
}

/**
 * How many hands of each content (see handContentKey) the league holds between two local
 * minutes (inclusive): what an import compares its rows with.
 */
export async function handContentCounts({ db, timeZone, from, to }: { db: Db; timeZone: string; from: string; to: string }): Promise<Map<string, number>> {
  const rows = await db('live_hands as h')
    .join('players as a', 'a.id', 'h.player_a_id')
    .join('players as b', 'b.id', 'h.player_b_id')
    .leftJoin('players as w', 'w.id', 'h.winner_id')
    .whereRaw(`h.played_at >= (cast(? as timestamp) at time zone ?) and h.played_at < (cast(? as timestamp) + interval '1 minute') at time zone ?`, [from, timeZone, to, timeZone])
    .select<{ minute: string; a_name: string; a_key: string | null; b_name: string; b_key: string | null; w_name: string | null; w_key: string | null; outcome: string; deadwood: number | null }[]>(
      db.raw(`to_char(h.played_at at time zone ?, 'YYYY-MM-DD HH24:MI') as minute`, [timeZone]),
      'a.name as a_name',
      'a.name_key as a_key',
      'b.name as b_name',
      'b.name_key as b_key',
      'w.name as w_name',
      'w.name_key as w_key',
      'h.outcome',
      'h.deadwood',
    );
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = handContentKey({
      localTime: r.minute,
      keyA: r.a_key ?? playerNameKey(r.a_name),
      keyB: r.b_key ?? playerNameKey(r.b_name),
      outcome: r.outcome,
      winnerKey: r.w_name === null ? null : (r.w_key ?? playerNameKey(r.w_name)),
      deadwood: r.deadwood,
    });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export interface ImportPreview extends ImportPlan {
  /** Names of the file that match no player: they will be added. */
  playersToAdd: string[];
  /** Names of the file written differently from the player they match: [as in the file, as stored]. */
  playersMatched: [string, string][];
}

/** What importing these rows (all free of errors) would do to the league as it is now. */
export async function handsImportPreview({ db, rows, timeZone, choice }: { db: Db; rows: ImportRow[]; timeZone: string; choice: RepeatChoice | null }): Promise<ImportPreview> {
  const times = rows.map((r) => (r.localTime ?? '').slice(0, 16)).sort();
  const [from, to] = [times[0], times.at(-1)];
  const counts = from !== undefined && to !== undefined ? await handContentCounts({ db, timeZone, from, to }) : new Map<string, number>();
  const plan = importPlan(rows.map(rowContentKey), counts, choice);
  const named = new Map<string, string>();
  for (const r of rows) {
    if (r.playerAKey) named.set(r.playerAKey, named.get(r.playerAKey) ?? r.playerA);
    if (r.playerBKey) named.set(r.playerBKey, named.get(r.playerBKey) ?? r.playerB);
  }
  const existing = await db('players').whereIn('name_key', [...named.keys()]).select('name', 'name_key');
  const stored = new Map(existing.map((p) => [p.name_key, p.name]));
  return {
    ...plan,
    playersToAdd: [...named].filter(([key]) => !stored.has(key)).map(([, name]) => name),
    playersMatched: [...named].flatMap(([key, name]): [string, string][] => {
      const as = stored.get(key);
      return as !== undefined && as !== name ? [[name, as]] : [];
    }),
  };
}

export const BACKUP_FORMAT = 'gin-rummy-leaderboard';
export const BACKUP_TABLES = ['players', 'games', 'hands', 'activity', 'imports', 'merges'] as const;
/** Parts a backup from before imports and merges could be undone does not have. */
export const BACKUP_OPTIONAL_TABLES = ['imports', 'merges'] as const;

export interface LeagueBackup {
  format: typeof BACKUP_FORMAT;
  version: 1;
  exportedAt: string;
  players: PlayerRow[];
  games: GameRow[];
  hands: HandRow[];
  activity: ActivityRow[];
  imports: ImportRecordRow[];
  merges: MergeRow[];
}

/** Every row of the league, voided ones and the history included: a restore loses nothing. */
export async function leagueBackupGet({ db }: { db: Db }): Promise<LeagueBackup> {
  // (The tables of BACKUP_TABLES, each read whole.)
  const [players, games, hands, activity, imports, merges] = await Promise.all([
    db('players').orderBy('id').select('*'),
    db('games').orderBy('id').select('*'),
    db('hands').orderBy('id').select('*'),
    db('activity').orderBy('id').select('*'),
    db('imports').orderBy('id').select('*'),
    db('merges').orderBy('id').select('*'),
  ]);
  return { format: BACKUP_FORMAT, version: 1, exportedAt: new Date().toISOString(), players, games, hands, activity, imports, merges };
}
