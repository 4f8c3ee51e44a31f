import type { Db } from '../db.js';
import { handRulesColumns, type HandRow } from '../core/tables.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { activityRecord } from '../activity/services.js';
import { earliest, ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';
import type { Rules } from '../scoring/rules.js';
import type { ImportRow, RepeatChoice } from './csv.js';
import { handsImportPreview } from './selectors.js';

export interface ImportResult {
  importId: number | null;
  imported: number;
  alreadyThere: number;
  repeatsSkipped: number;
  playersAdded: string[];
}

/** A row that passed the file's checks: it has a time, an outcome and points. */
function checked(row: ImportRow) {
  const { localTime, outcome, points } = row;
  if (localTime === null || outcome === null || points === null) throw new Error(`Line ${row.line} was imported unchecked`);
  return { ...row, localTime, outcome, points };
}

// Two imports at once would each see the other's hands as absent: one at a time.
const IMPORT_LOCK = 4_206_712;

/**
 * Imports checked rows of past hands: all of them or none, in one transaction. Players are
 * matched by their name key (the identity rule) or added. A row whose hand is already in
 * the league (same minute, pair, outcome, winner and deadwood) is not added again, so
 * importing a file twice, or the league's own export, adds nothing; rows repeated within
 * the file need a choice ('once' or 'each'). The import is one activity entry, and can be
 * undone as a whole (handsImportUndo).
 */
export async function handsImport({
  db,
  rows,
  rules,
  timeZone,
  choice = null,
  actorId = null,
  elo,
}: {
  db: Db;
  rows: ImportRow[];
  rules: Rules;
  timeZone: string;
  choice?: RepeatChoice | null;
  actorId?: number | null;
  elo?: EloSettings;
}): Promise<ImportResult> {
  const bad = rows.filter((r) => r.errors.length);
  if (bad.length) throw new ApplicationError(`${bad.length} of ${rows.length} rows have errors; nothing was imported.`);
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [IMPORT_LOCK]);
    const preview = await handsImportPreview({ db: trx, rows, timeZone, choice });
    if (preview.needsChoice && choice === null) {
      throw new ApplicationError(`${preview.repeats} rows repeat an earlier row of the file: choose whether to import them once or each time.`, {
        fields: { repeats: 'Choose what to do with the repeated rows.' },
      });
    }
    const adding = preview.toAdd.flatMap((i) => {
      const row = rows[i];
      return row ? [checked(row)] : [];
    });
    const result = { alreadyThere: preview.already, repeatsSkipped: preview.statuses.filter((st) => st.kind === 'repeat' && st.skipped).length };
    if (adding.length === 0) return { importId: null, imported: 0, playersAdded: [], ...result };

    const wanted = new Map<string, string>();
    for (const r of adding) for (const [key, name] of [[r.playerAKey, r.playerA], [r.playerBKey, r.playerB]] as const) if (key && !wanted.has(key)) wanted.set(key, name);
    const existing = await trx('players').whereIn('name_key', [...wanted.keys()]).select('id', 'name_key');
    const ids = new Map<string, number>();
    for (const p of existing) if (p.name_key !== null) ids.set(p.name_key, p.id);
    const missing = [...wanted].filter(([key]) => !ids.has(key));
    if (missing.length) {
      const added = await trx('players').insert(missing.map(([key, name]) => ({ name, name_key: key, created_by: actorId }))).returning(['id', 'name_key']);
      for (const p of added) if (p.name_key !== null) ids.set(p.name_key, p.id);
    }
    const [imp] = await trx('imports').insert({ created_by: actorId, hands: adding.length }).returning('id');
    if (!imp) throw new Error('The import was not stored');
    const importId = imp.id;
    const id = (key: string | null): number => {
      const found = ids.get(key ?? '');
      // Every name of the rows was found or added just above.
      if (found === undefined) throw new Error(`No player for the key ${key}`);
      return found;
    };
    const inserted: Pick<HandRow, 'id' | 'played_at'>[] = [];
    for (let i = 0; i < adding.length; i += 500) {
      const chunk = adding.slice(i, i + 500).map((r) => ({
        played_at: trx.raw('cast(? as timestamp) at time zone ?', [r.localTime, timeZone]),
        player_a_id: id(r.playerAKey),
        player_b_id: id(r.playerBKey),
        winner_id: r.winnerSide === 'a' ? id(r.playerAKey) : r.winnerSide === 'b' ? id(r.playerBKey) : null,
        outcome: r.outcome,
        deadwood: r.outcome === 'draw' ? null : r.deadwood,
        points: r.points,
        ...handRulesColumns(rules),
        idempotency_key: `import:${importId}:${r.line}`,
        import_id: importId,
        created_by: actorId,
      }));
      inserted.push(...(await trx('hands').insert(chunk).returning(['id', 'played_at'])));
    }
    await ratingsRecompute({ db: trx, elo, from: earliest(inserted) });
    const addedNames = missing.map(([, name]) => name);
    await activityRecord(trx, {
      actorId,
      action: 'hands.imported',
      summary: `imported ${inserted.length} hands from a CSV file${addedNames.length ? `, adding ${addedNames.join(', ')}` : ''}`,
      link: '/',
      subject: { type: 'import', id: importId },
    });
    return { importId, imported: inserted.length, playersAdded: addedNames, ...result };
  });
}

/**
 * Takes back an import as a whole: its hands are voided (kept, and hidden from every
 * statistic, like any voided hand) and the ratings recomputed. Players it added stay.
 */
export async function handsImportUndo({ db, importId, actorId = null, elo }: { db: Db; importId: number; actorId?: number | null; elo?: EloSettings }): Promise<{ voided: number }> {
  return db.transaction(async (trx) => {
    const imp = await trx('imports').where({ id: importId }).forUpdate().first();
    if (!imp) throw new NotFoundError(`No import ${importId}`);
    if (imp.undone_at !== null) throw new ApplicationError('That import was already undone.');
    const voided = await trx('hands')
      .where({ import_id: importId })
      .whereNull('voided_at')
      .update({ voided_at: trx.fn.now(), voided_by: actorId })
      .returning(['id', 'played_at']);
    await trx('imports').where({ id: importId }).update({ undone_at: trx.fn.now(), undone_by: actorId });
    const from = earliest(voided);
    if (from) await ratingsRecompute({ db: trx, elo, from });
    await activityRecord(trx, {
      actorId,
      action: 'hands.import_undone',
      summary: `undid an import of ${imp.hands} hands from a CSV file (${voided.length} taken back)`,
      link: '/activity',
      subject: { type: 'import', id: importId },
    });
    return { voided: voided.length };
  });
}
