/*
 * Reading a CSV of past hands: columns date, player_a, player_b, outcome, winner, deadwood.
 * Pure: text in, rows with their errors (by line number) out. Scoring follows the rules;
 * names follow the identity rule of src/core/names.ts.
 *
 * Cells are written for spreadsheets (OWASP's CSV injection guidance): a cell that starts
 * with = + - @ tab or carriage return is written with a ' in front, so that no spreadsheet
 * runs it as a formula; a cell that starts with ' gets one more, so that reading a cell
 * back (dropping one ' before any of those) gives exactly what was written.
 */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { playerNameCheck } from '../core/names.js';
import { errorMessage } from '../core/errors.js';
import { MAX_DEADWOOD, OUTCOMES, type Outcome, type Rules } from '../scoring/rules.js';
import { quickHandRules, scoreGameHand } from '../scoring/game.js';

export const HANDS_CSV_COLUMNS = ['date', 'player_a', 'player_b', 'outcome', 'winner', 'deadwood'] as const;
export const MAX_IMPORT_ROWS = 10_000;

/** A cell as written to a CSV file: never a live formula. */
export function csvCellWrite(value: string): string {
  return /^[=+\-@\t\r']/.test(value) ? `'${value}` : value;
}

/** A cell as read from a CSV file: the inverse of csvCellWrite. */
export function csvCellRead(value: string): string {
  return /^'[=+\-@\t\r']/.test(value) ? value.slice(1) : value;
}

/** Every text cell of the rows made safe; numbers, dates and empty cells left as they are. */
export function csvSafeRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? csvCellWrite(v) : v])));
}

export interface ImportRow {
  line: number;
  date: string;
  /** Local date and time, "YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS", in the league's zone. */
  localTime: string | null;
  /** Names in their stored form (the identity rule), with their keys. */
  playerA: string;
  playerB: string;
  playerAKey: string | null;
  playerBKey: string | null;
  outcome: Outcome | null;
  winner: string | null;
  /** Which of the two won: 'a' for player_a, 'b' for player_b. */
  winnerSide: 'a' | 'b' | null;
  deadwood: number | null;
  points: number | null;
  errors: string[];
}

export type CsvRead = { ok: true; rows: ImportRow[] } | { ok: false; message: string };

const OUTCOME_WORDS: Record<string, Outcome> = Object.fromEntries<Outcome>([
  ...OUTCOMES.map((o): [string, Outcome] => [o, o]),
  ['big gin', 'big_gin'],
  ['big-gin', 'big_gin'],
]);

function localTime(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '20', mi = '00', sec] = m;
  if (Number(y) < 1000) return null;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec ?? 0)));
  // Reject 2026-02-31 and 25:00: the date must survive a round trip.
  if (
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d) ||
    date.getUTCHours() !== Number(h) ||
    date.getUTCMinutes() !== Number(mi) ||
    date.getUTCSeconds() !== Number(sec ?? 0)
  ) {
    return null;
  }
  return `${y}-${mo}-${d} ${h}:${mi}${sec ? `:${sec}` : ''}`;
}

const recordsSchema = z.array(z.object({ record: z.array(z.string()), info: z.object({ lines: z.number() }) }));

export function readHandsCsv(text: string, rules: Rules): CsvRead {
  if (text.includes('\u0000')) return { ok: false, message: 'That file is not a CSV file (it holds binary data).' };
  // One line ending for the whole file (no cell of ours can hold a line break: names collapse whitespace).
  const normal = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let records: z.infer<typeof recordsSchema>;
  try {
    // csv-parse's types say string[][] whatever the options; with `info` each row is { record, info }.
    const parsed: unknown = parse(normal, {
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      info: true,
    });
    records = recordsSchema.parse(parsed);
  } catch (err) {
    return { ok: false, message: `That file could not be read as CSV: ${errorMessage(err)}` };
  }
  const [header, ...body] = records;
  const names = (header?.record ?? []).map((h) => h.trim().toLowerCase());
  // Further columns (the export adds points and the game) are allowed and ignored.
  if (names.slice(0, HANDS_CSV_COLUMNS.length).join(',') !== HANDS_CSV_COLUMNS.join(',')) {
    return { ok: false, message: `The first line must name the columns ${HANDS_CSV_COLUMNS.join(', ')}; this file has ${names.join(', ') || 'none'}.` };
  }
  if (body.length === 0) return { ok: false, message: 'The file has the column names but no hands.' };
  if (body.length > MAX_IMPORT_ROWS) return { ok: false, message: `At most ${MAX_IMPORT_ROWS} hands at a time; this file has ${body.length}.` };

  const rows = body.map(({ record, info }): ImportRow => {
    const cells = record.map((c) => csvCellRead(c.trim()));
    const [date = '', rawA = '', rawB = '', outcomeText = '', winnerText = '', deadwoodText = ''] = cells;
    const errors: string[] = [];
    if (cells.length !== names.length) errors.push(`expected ${names.length} columns, found ${cells.length}`);
    const time = localTime(date);
    if (!time) errors.push(`date "${date}" is not a date like 2026-11-23 or 2026-11-23 20:30`);
    const players = ([['player_a', rawA], ['player_b', rawB]] as const).map(([label, raw]) => {
      const check = playerNameCheck(raw);
      if (check.ok) return check;
      errors.push(raw.trim() ? `${label}: ${check.message}` : `${label} is empty`);
      return null;
    });
    const [a, b] = players;
    if (a && b && a.key === b.key) errors.push('a player cannot play themselves');
    const outcome = OUTCOME_WORDS[outcomeText.toLowerCase()] ?? null;
    if (!outcome) errors.push(`outcome "${outcomeText}" is not one of ${OUTCOMES.join(', ')}`);
    let winnerSide: 'a' | 'b' | null = null;
    let deadwood: number | null = null;
    if (outcome && outcome !== 'draw') {
      const w = playerNameCheck(winnerText);
      if (w.ok && a && w.key === a.key) winnerSide = 'a';
      else if (w.ok && b && w.key === b.key) winnerSide = 'b';
      else errors.push(winnerText ? `winner "${winnerText}" is neither player` : 'winner is empty');
      if (!/^\d{1,3}$/.test(deadwoodText) || Number(deadwoodText) > MAX_DEADWOOD) {
        errors.push(`deadwood "${deadwoodText}" is not a whole number from 0 to ${MAX_DEADWOOD}`);
      } else {
        deadwood = Number(deadwoodText);
      }
    }
    // Scored by the same rules as a hand typed into the form (a knock of 0 is refused there, and here).
    let points: number | null = outcome === 'draw' ? 0 : null;
    if (outcome && outcome !== 'draw' && winnerSide && deadwood !== null && !errors.length) {
      const scored = scoreGameHand(quickHandRules(rules), { outcome, winner: winnerSide, difference: deadwood });
      if (scored.ok) points = scored.hand.points;
      else errors.push(...Object.values(scored.errors));
    }
    const playerA = a?.name ?? rawA;
    const playerB = b?.name ?? rawB;
    return {
      line: info.lines,
      date,
      localTime: time,
      playerA,
      playerB,
      playerAKey: a?.key ?? null,
      playerBKey: b?.key ?? null,
      outcome,
      winner: winnerSide === 'a' ? playerA : winnerSide === 'b' ? playerB : null,
      winnerSide,
      deadwood,
      points,
      errors,
    };
  });
  return { ok: true, rows };
}

/**
 * What makes two hands the same hand for an import: the minute, the pair in either order,
 * the outcome, the winner and the deadwood (by the players' name keys).
 */
export function handContentKey(h: { localTime: string; keyA: string; keyB: string; outcome: string; winnerKey: string | null; deadwood: number | null }): string {
  const pair = [h.keyA, h.keyB].sort();
  return JSON.stringify([h.localTime.slice(0, 16), pair[0], pair[1], h.outcome, h.winnerKey, h.outcome === 'draw' ? null : h.deadwood]);
}

/** The content key of a row without errors. */
export function rowContentKey(r: ImportRow): string {
  return handContentKey({
    localTime: r.localTime ?? '',
    keyA: r.playerAKey ?? '',
    keyB: r.playerBKey ?? '',
    outcome: r.outcome ?? '',
    winnerKey: r.winnerSide === 'a' ? r.playerAKey : r.winnerSide === 'b' ? r.playerBKey : null,
    deadwood: r.deadwood,
  });
}

/** What an import does with rows that repeat an earlier row of the same file. */
export type RepeatChoice = 'once' | 'each';

export type RowStatus = { kind: 'new' } | { kind: 'already' } | { kind: 'repeat'; of: number; skipped: boolean };

export interface ImportPlan {
  statuses: RowStatus[];
  /** Rows (by index) that will be added. */
  toAdd: number[];
  already: number;
  /** Rows repeating an earlier row of the file (beyond what the league holds): the choice decides them. */
  repeats: number;
  /** True when the file repeats rows and the choice changes what is added. */
  needsChoice: boolean;
}

/**
 * What importing the rows would do, given how many hands of each content key the league
 * already has: as many rows of a key as the league has are "already there"; the rest are
 * added, all of them ('each') or one ('once'). So importing a file twice adds nothing the
 * second time, whatever the choice. Rows must be free of errors.
 */
export function importPlan(keys: string[], inLeague: Map<string, number>, choice: RepeatChoice | null): ImportPlan {
  const seen = new Map<string, { count: number; first: number }>();
  const statuses: RowStatus[] = [];
  const toAdd: number[] = [];
  let already = 0;
  let repeats = 0;
  let needsChoice = false;
  keys.forEach((key, i) => {
    const earlier = seen.get(key);
    const n = (earlier?.count ?? 0) + 1;
    seen.set(key, { count: n, first: earlier?.first ?? i });
    const have = inLeague.get(key) ?? 0;
    if (n <= have) {
      already++;
      statuses.push({ kind: 'already' });
      return;
    }
    if (!earlier) {
      toAdd.push(i);
      statuses.push({ kind: 'new' });
      return;
    }
    // A repeat within the file beyond what the league holds: 'each' adds it, 'once' does not.
    repeats++;
    needsChoice = true;
    const skipped = choice !== 'each';
    if (!skipped) toAdd.push(i);
    statuses.push({ kind: 'repeat', of: earlier.first, skipped });
  });
  return { statuses, toAdd, already, repeats, needsChoice };
}
