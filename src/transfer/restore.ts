/*
 * Restoring a JSON backup into an empty league. The whole file is checked before anything
 * is written, against the database's own description of its tables (so a column added by a
 * later migration is known without this file changing): unknown columns, missing required
 * values, wrong types, bad dates, NUL characters, duplicate ids, references to rows that
 * are not in the file, names that break the identity rule, links that leave the app, and
 * the rules of a hand. Every problem found is a 422 naming the first few; nothing is
 * written. Anything the database still refuses rolls the whole restore back, also a 422.
 */
import { z } from 'zod';
import { pgErrorCode, rawRows, type Db } from '../db.js';
import { ApplicationError } from '../core/errors.js';
import { safeLink } from '../activity/selectors.js';
import { playerNameCheck } from '../core/names.js';
import { ratingsRecompute } from '../ratings/services.js';
import type { EloSettings } from '../scoring/elo.js';
import { OUTCOMES } from '../scoring/rules.js';
import { BACKUP_FORMAT, BACKUP_OPTIONAL_TABLES, BACKUP_TABLES } from './selectors.js';

/** A row of the file: any columns, each checked against the database's description of its table. */
type Row = Record<string, unknown>;
type Table = (typeof BACKUP_TABLES)[number];

const isTable = (name: string): name is Table => BACKUP_TABLES.some((t) => t === name);
const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null && !Array.isArray(value);
const isWhole = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

interface Column {
  name: string;
  type: string;
  nullable: boolean;
  hasDefault: boolean;
  maxLength: number | null;
}

const SHOWN_PROBLEMS = 5;

/** A value quoted for a message, with invisible and control characters written as \u{…}. */
function visible(value: string): string {
  return `"${value.replace(/[\p{C}"\\]/gu, (ch) => (ch === '"' || ch === '\\' ? `\\${ch}` : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`))}"`;
}

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT, { error: 'That is not a backup of this app.' }),
  version: z.literal(1, { error: 'That backup is of a version this app cannot read.' }),
}).loose();

/** What PostgreSQL says when it refuses a row. */
const refusedSchema = z.object({ constraint: z.string().optional(), detail: z.string().optional(), message: z.string().optional() });

async function describeTables(db: Db): Promise<{ columns: Map<Table, Map<string, Column>>; references: { table: Table; column: string; target: Table }[] }> {
  const cols = await rawRows<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; character_maximum_length: number | null }>(
    db,
    `select table_name, column_name, data_type, is_nullable, column_default, character_maximum_length
     from information_schema.columns where table_schema = current_schema() and table_name = any(?)`,
    [[...BACKUP_TABLES]],
  );
  const columns = new Map<Table, Map<string, Column>>(BACKUP_TABLES.map((t) => [t, new Map()]));
  for (const c of cols) {
    if (isTable(c.table_name)) columns.get(c.table_name)?.set(c.column_name, {
      name: c.column_name,
      type: c.data_type,
      nullable: c.is_nullable === 'YES',
      hasDefault: c.column_default !== null,
      maxLength: c.character_maximum_length,
    });
  }
  const fks = await rawRows<{ table: string; column: string; target: string }>(
    db,
    `select c.conrelid::regclass::text as "table", a.attname as "column", c.confrelid::regclass::text as target
     from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
     where c.contype = 'f' and c.connamespace = current_schema()::regnamespace and c.conrelid::regclass::text = any(?)`,
    [[...BACKUP_TABLES]],
  );
  const references = fks.flatMap(({ table, column, target }) => (isTable(table) && isTable(target) ? [{ table, column, target }] : []));
  return { columns, references };
}

const INT4 = 2_147_483_647;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** What is wrong with one value for its column, or null. */
function valueProblem(value: unknown, col: Column): string | null {
  if (value === null || value === undefined) return col.nullable || col.hasDefault ? null : 'is missing';
  switch (col.type) {
    case 'integer':
    case 'bigint':
    case 'smallint':
      return isWhole(value) && Math.abs(value) <= INT4 ? null : `is ${JSON.stringify(value)}, not a whole number`;
    case 'double precision':
    case 'real':
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? null : `is ${JSON.stringify(value)}, not a number`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `is ${JSON.stringify(value)}, not true or false`;
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? null : `is ${JSON.stringify(value)}, not a date and time`;
    case 'jsonb':
    case 'json':
      return null;
    default:
      if (typeof value !== 'string') return `is ${JSON.stringify(value)}, not text`;
      if (value.includes('\u0000')) return 'holds a NUL character';
      if (col.maxLength !== null && [...value].length > col.maxLength) return `is longer than ${col.maxLength} characters`;
      return null;
  }
}

/** Every problem of the backup, in the order of the file; an empty list for a good one. */
export async function backupProblems(db: Db, json: unknown): Promise<{ problems: string[]; tables: Record<Table, Row[]> }> {
  const problems: string[] = [];
  const tables: Record<Table, Row[]> = { players: [], games: [], hands: [], activity: [], imports: [], merges: [] };
  const header = headerSchema.safeParse(json);
  if (!header.success) {
    throw new ApplicationError(`That file is not a backup this app can restore: ${header.error.issues[0]?.message ?? 'unknown format'}`);
  }
  const file = header.data;
  for (const t of BACKUP_TABLES) {
    const rows = file[t];
    if (rows === undefined && BACKUP_OPTIONAL_TABLES.some((o) => o === t)) continue;
    if (!Array.isArray(rows)) {
      problems.push(`"${t}" is not a list of rows`);
      continue;
    }
    if (!rows.every(isRow)) {
      problems.push(`"${t}" holds something that is not a row`);
      continue;
    }
    tables[t] = rows;
  }
  const known = Object.keys(file).filter((k) => !['format', 'version', 'exportedAt', ...BACKUP_TABLES].includes(k));
  if (known.length) problems.push(`unknown part${known.length > 1 ? 's' : ''} ${known.map((k) => `"${k}"`).join(', ')}`);
  if (problems.length) return { problems, tables };

  const { columns, references } = await describeTables(db);
  const ids = new Map<Table, Set<number>>();
  for (const t of BACKUP_TABLES) {
    const cols = columns.get(t) ?? new Map<string, Column>();
    const seen = new Set<number>();
    tables[t].forEach((row, i) => {
      const id = row.id;
      const where = `${t}[${i}]${isWhole(id) ? ` (id ${id})` : ''}`;
      for (const key of Object.keys(row)) if (!cols.has(key)) problems.push(`${where}: unknown column "${key}"`);
      if (!isWhole(id) || id < 1 || id > INT4) problems.push(`${where}: id is ${JSON.stringify(id)}, not a positive whole number`);
      else if (seen.has(id)) problems.push(`${where}: id ${id} appears twice`);
      else seen.add(id);
      for (const col of cols.values()) {
        if (col.name === 'id' || !(col.name in row || (!col.nullable && !col.hasDefault))) continue;
        const problem = valueProblem(row[col.name], col);
        if (problem) problems.push(`${where}: ${col.name} ${problem}`);
      }
    });
    ids.set(t, seen);
  }
  for (const ref of references) {
    const targets = ids.get(ref.target) ?? new Set<number>();
    tables[ref.table].forEach((row, i) => {
      const v = row[ref.column];
      if (isWhole(v) && !targets.has(v)) problems.push(`${ref.table}[${i}] (id ${String(row.id)}): ${ref.column} ${v} is not a row of ${ref.target} in the file`);
    });
  }
  tables.players.forEach((p, i) => {
    if (typeof p.name !== 'string') return;
    const check = playerNameCheck(p.name);
    if (!check.ok) problems.push(`players[${i}] (id ${String(p.id)}): name ${visible(p.name)}: ${check.message}`);
  });
  tables.hands.forEach((h, i) => {
    const where = `hands[${i}] (id ${String(h.id)})`;
    if (h.player_a_id === h.player_b_id) problems.push(`${where}: a player cannot play themselves`);
    if (!OUTCOMES.some((o) => o === h.outcome)) problems.push(`${where}: outcome ${JSON.stringify(h.outcome)} is not one of ${OUTCOMES.join(', ')}`);
    else if (h.outcome === 'draw' ? h.winner_id !== null && h.winner_id !== undefined : h.winner_id !== h.player_a_id && h.winner_id !== h.player_b_id) {
      problems.push(`${where}: the winner is not one of the players`);
    }
  });
  tables.activity.forEach((a, i) => {
    if (typeof a.link === 'string' && safeLink(a.link) === null) problems.push(`activity[${i}] (id ${String(a.id)}): link ${visible(a.link)} is not a path inside the app`);
  });
  return { problems, tables };
}

function refusal(problems: string[]): ApplicationError {
  const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => p.replace(/\.$/, '')).join('; ');
  const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more)` : '';
  return new ApplicationError(`That backup cannot be restored: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}: ${shown}${more}.`);
}

// Insert order: each table after those it points at (self-references are set afterwards).
const INSERT_ORDER: Table[] = ['players', 'imports', 'games', 'hands', 'merges', 'activity'];

/**
 * Restores a backup into an empty league, rows and ids as they were; the ratings are then
 * recomputed. Names are put in their stored form and given their keys (look-alikes in an
 * old backup are kept as the migration keeps them: the oldest holds the key).
 */
export async function leagueRestore({ db, json, elo }: { db: Db; json: unknown; elo?: EloSettings }): Promise<{ players: number; hands: number; games: number }> {
  const { problems, tables } = await backupProblems(db, json);
  if (problems.length) throw refusal(problems);
  const { references } = await describeTables(db);
  try {
    return await db.transaction(async (trx) => {
      const [count] = await trx('players').count({ n: '*' });
      if (Number(count?.n) > 0) throw new ApplicationError('A backup can only be restored into an empty league; this one has players.');
      const taken = new Set<string>();
      const players = [...tables.players]
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((p) => {
          // Checked above: a name is text.
          const stored = typeof p.name === 'string' ? p.name : '';
          const check = playerNameCheck(stored);
          const { name, key } = check.ok ? check : { name: stored, key: '' };
          const free = !taken.has(key);
          if (free) taken.add(key);
          return { ...p, name, name_key: free ? key : null };
        });
      const rows: Record<Table, Row[]> = { ...tables, players };
      for (const table of INSERT_ORDER) {
        const selfRefs = references.filter((r) => r.table === table && r.target === table).map((r) => r.column);
        const later: Row[] = [];
        const insertRows = rows[table].map((row) => {
          const copy = { ...row };
          const deferred: Row = {};
          for (const col of selfRefs) {
            if (copy[col] !== null && copy[col] !== undefined) deferred[col] = copy[col];
            copy[col] = null;
          }
          if (Object.keys(deferred).length) later.push({ id: row.id, ...deferred });
          if (table === 'activity') copy.link = safeLink(typeof copy.link === 'string' ? copy.link : null);
          return copy;
        });
        // The file's rows, as checked against the catalogue: Knex is told they are rows of no declared shape.
        for (let i = 0; i < insertRows.length; i += 500) await trx<Row>(table).insert(insertRows.slice(i, i + 500));
        for (const { id, ...cols } of later) await trx<Row>(table).where({ id }).update(cols);
      }
      for (const table of BACKUP_TABLES) {
        await trx.raw(`select setval(pg_get_serial_sequence(?, 'id'), coalesce((select max(id) from ${table}), 0) + 1, false)`, [table]);
      }
      await ratingsRecompute({ db: trx, elo, from: null });
      return { players: tables.players.length, hands: tables.hands.length, games: tables.games.length };
    });
  } catch (err) {
    // A rule only the database knows (a check or a unique index): nothing was kept.
    const code = pgErrorCode(err) ?? '';
    if (/^2[23]/.test(code)) {
      const refused = refusedSchema.safeParse(err);
      const { constraint, detail, message } = refused.success ? refused.data : {};
      throw refusal([`the database refused it (${constraint ?? code}): ${(detail ?? message ?? '').replace(/^insert into .*? - /, '')}`]);
    }
    throw err;
  }
}
