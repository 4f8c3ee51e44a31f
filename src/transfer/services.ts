import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db.js';
import { ApplicationError } from '../core/errors.js';
import { activityRecord } from '../activity/services.js';
import { earliest, ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';
import type { Rules } from '../scoring/rules.js';
import type { ImportRow } from './csv.js';
import { BACKUP_FORMAT, BACKUP_TABLES } from './selectors.js';

export interface ImportResult {
  imported: number;
  alreadyThere: number;
  playersAdded: string[];
}

/**
 * Imports checked rows of past hands: all of them or none, in one transaction. Players are
 * matched by name (ignoring case) or added. Each row's key is derived from the file and the
 * line, so committing the same file twice imports it once.
 */
export async function handsImport({
  db,
  rows,
  source,
  rules,
  timeZone,
  actorId = null,
  elo,
}: {
  db: Db;
  rows: ImportRow[];
  source: string;
  rules: Rules;
  timeZone: string;
  actorId?: number | null;
  elo?: EloSettings;
}): Promise<ImportResult> {
  const bad = rows.filter((r) => r.errors.length);
  if (bad.length) throw new ApplicationError(`${bad.length} of ${rows.length} rows have errors; nothing was imported.`);
  const sourceKey = crypto.createHash('sha256').update(source).digest('hex').slice(0, 20);
  return db.transaction(async (trx) => {
    const wanted = new Map<string, string>();
    for (const r of rows) for (const name of [r.playerA, r.playerB]) wanted.set(name.toLowerCase(), name);
    const existing = await trx('players').whereRaw('lower(name) = any(?)', [[...wanted.keys()]]).select('id', 'name');
    const ids = new Map<string, number>(existing.map((p) => [String(p.name).toLowerCase(), p.id as number]));
    const missing = [...wanted].filter(([key]) => !ids.has(key)).map(([, name]) => name);
    if (missing.length) {
      const added = await trx('players').insert(missing.map((name) => ({ name, created_by: actorId }))).returning(['id', 'name']);
      for (const p of added) ids.set(String(p.name).toLowerCase(), p.id as number);
    }
    const id = (name: string) => ids.get(name.toLowerCase()) as number;
    const inserted: { id: number; played_at: Date }[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => ({
        played_at: trx.raw('cast(? as timestamp) at time zone ?', [r.localTime, timeZone]),
        player_a_id: id(r.playerA),
        player_b_id: id(r.playerB),
        winner_id: r.winner ? id(r.winner) : null,
        outcome: r.outcome,
        deadwood: r.outcome === 'draw' ? null : r.deadwood,
        points: r.points,
        gin_bonus: rules.ginBonus,
        big_gin_bonus: rules.bigGinBonus,
        undercut_bonus: rules.undercutBonus,
        line_bonus: rules.lineBonus,
        idempotency_key: `import:${sourceKey}:${r.line}`,
        created_by: actorId,
      }));
      inserted.push(...(await trx('hands').insert(chunk).onConflict('idempotency_key').ignore().returning(['id', 'played_at'])));
    }
    const from = earliest(inserted.map((h) => ({ id: h.id, played_at: h.played_at })));
    if (from) await ratingsRecompute({ db: trx, elo, from });
    if (inserted.length || missing.length) {
      await activityRecord(trx, {
        actorId,
        action: 'hands.imported',
        summary: `imported ${inserted.length} hands from a CSV file${missing.length ? `, adding ${missing.join(', ')}` : ''}`,
        link: '/',
      });
    }
    return { imported: inserted.length, alreadyThere: rows.length - inserted.length, playersAdded: missing };
  });
}

const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT, { error: 'That is not a backup of this app.' }),
  version: z.literal(1, { error: 'That backup is of a version this app cannot read.' }),
  players: z.array(z.object({ id: z.number().int(), name: z.string().min(1).max(40) }).passthrough()),
  games: z.array(z.object({ id: z.number().int() }).passthrough()),
  hands: z.array(z.object({ id: z.number().int(), played_at: z.string() }).passthrough()),
  activity: z.array(z.object({ id: z.number().int() }).passthrough()),
});

/**
 * Restores a backup into an empty league, rows and ids as they were; the ratings are then
 * recomputed. Refuses a league that already has players, and a file that is not a backup.
 */
export async function leagueRestore({ db, json, elo }: { db: Db; json: unknown; elo?: EloSettings }): Promise<{ players: number; hands: number; games: number }> {
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) {
    throw new ApplicationError(`That file is not a backup this app can restore: ${parsed.error.issues[0]?.message ?? 'unknown format'}.`);
  }
  const backup = parsed.data;
  return db.transaction(async (trx) => {
    const [{ n }] = (await trx('players').count({ n: '*' })) as [{ n: number }];
    if (Number(n) > 0) throw new ApplicationError('A backup can only be restored into an empty league; this one has players.');
    const insert = async (table: string, rows: Record<string, unknown>[]) => {
      for (let i = 0; i < rows.length; i += 500) await trx(table).insert(rows.slice(i, i + 500));
    };
    // Links that point forwards are set once every row is in.
    const createdBy = backup.players.map((p) => ({ id: p.id, created_by: p.created_by ?? null }));
    await insert('players', backup.players.map((p) => ({ ...p, created_by: null })));
    await insert('games', backup.games);
    await insert('hands', backup.hands.map((h) => ({ ...h, replaced_by_id: null })));
    for (const h of backup.hands) if (h.replaced_by_id) await trx('hands').where({ id: h.id }).update({ replaced_by_id: h.replaced_by_id });
    for (const p of createdBy) if (p.created_by) await trx('players').where({ id: p.id }).update({ created_by: p.created_by });
    await insert('activity', backup.activity);
    for (const table of BACKUP_TABLES) {
      await trx.raw(`select setval(pg_get_serial_sequence(?, 'id'), coalesce((select max(id) from ${table}), 0) + 1, false)`, [table]);
    }
    await ratingsRecompute({ db: trx, elo, from: null });
    return { players: backup.players.length, hands: backup.hands.length, games: backup.games.length };
  });
}
