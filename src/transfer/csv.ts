/*
 * Reading a CSV of past hands: columns date, player_a, player_b, outcome, winner, deadwood.
 * Pure: text in, rows with their errors (by line number) out. Scoring follows the rules.
 */
import { parse } from 'csv-parse/sync';
import { handPoints, MAX_DEADWOOD, OUTCOMES, type Outcome, type Rules } from '../scoring/rules.js';

export const HANDS_CSV_COLUMNS = ['date', 'player_a', 'player_b', 'outcome', 'winner', 'deadwood'] as const;
export const MAX_IMPORT_ROWS = 10_000;

export interface ImportRow {
  line: number;
  date: string;
  /** Local date and time, "YYYY-MM-DD HH:MM", in the league's zone. */
  localTime: string | null;
  playerA: string;
  playerB: string;
  outcome: Outcome | null;
  winner: string | null;
  deadwood: number | null;
  points: number | null;
  errors: string[];
}

export type CsvRead = { ok: true; rows: ImportRow[] } | { ok: false; message: string };

const OUTCOME_WORDS: Record<string, Outcome> = Object.fromEntries([
  ...OUTCOMES.map((o) => [o, o]),
  ['big gin', 'big_gin'],
  ['big-gin', 'big_gin'],
]);

function localTime(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '20', mi = '00'] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  // Reject 2026-02-31 and 25:00: the date must survive a round trip.
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || date.getUTCHours() !== Number(h) || date.getUTCMinutes() !== Number(mi)) return null;
  return `${y}-${mo}-${d} ${h}:${mi}`;
}

export function readHandsCsv(text: string, rules: Rules): CsvRead {
  if (text.includes('\u0000')) return { ok: false, message: 'That file is not a CSV file (it holds binary data).' };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    return { ok: false, message: `That file could not be read as CSV: ${(err as Error).message}` };
  }
  const [header, ...body] = records;
  const names = (header?.record ?? []).map((h) => h.toLowerCase());
  // Further columns (the export adds points and the game) are allowed and ignored.
  if (names.slice(0, HANDS_CSV_COLUMNS.length).join(',') !== HANDS_CSV_COLUMNS.join(',')) {
    return { ok: false, message: `The first line must name the columns ${HANDS_CSV_COLUMNS.join(', ')}; this file has ${names.join(', ') || 'none'}.` };
  }
  if (body.length === 0) return { ok: false, message: 'The file has the column names but no hands.' };
  if (body.length > MAX_IMPORT_ROWS) return { ok: false, message: `At most ${MAX_IMPORT_ROWS} hands at a time; this file has ${body.length}.` };

  const rows = body.map(({ record: cells, info }): ImportRow => {
    const [date = '', playerA = '', playerB = '', outcomeText = '', winnerText = '', deadwoodText = ''] = cells;
    const errors: string[] = [];
    if (cells.length !== names.length) errors.push(`expected ${names.length} columns, found ${cells.length}`);
    const time = localTime(date);
    if (!time) errors.push(`date "${date}" is not a date like 2026-11-23 or 2026-11-23 20:30`);
    for (const [label, name] of [['player_a', playerA], ['player_b', playerB]] as const) {
      if (!name) errors.push(`${label} is empty`);
      else if (name.length > 40) errors.push(`${label} is longer than 40 characters`);
    }
    if (playerA && playerA.toLowerCase() === playerB.toLowerCase()) errors.push('a player cannot play themselves');
    const outcome = OUTCOME_WORDS[outcomeText.toLowerCase()] ?? null;
    if (!outcome) errors.push(`outcome "${outcomeText}" is not one of ${OUTCOMES.join(', ')}`);
    let winner: string | null = null;
    let deadwood: number | null = null;
    if (outcome && outcome !== 'draw') {
      const w = winnerText.toLowerCase();
      if (w && w === playerA.toLowerCase()) winner = playerA;
      else if (w && w === playerB.toLowerCase()) winner = playerB;
      else errors.push(winnerText ? `winner "${winnerText}" is neither player` : 'winner is empty');
      if (!/^\d{1,3}$/.test(deadwoodText) || Number(deadwoodText) > MAX_DEADWOOD) {
        errors.push(`deadwood "${deadwoodText}" is not a whole number from 0 to ${MAX_DEADWOOD}`);
      } else {
        deadwood = Number(deadwoodText);
      }
    }
    const points = outcome === 'draw' ? 0 : outcome && deadwood !== null && !errors.length ? handPoints(rules, outcome, deadwood) : null;
    return { line: info.lines, date, localTime: time, playerA, playerB, outcome, winner, deadwood, points, errors };
  });
  return { ok: true, rows };
}
