import { z } from 'zod';
import type { Db } from '../db.js';

/** A span of the league's calendar: all time, a year or a month (in the league's zone). */
export type Period = { kind: 'all' } | { kind: 'year'; year: number } | { kind: 'month'; year: number; month: number };

export const ALL_TIME: Period = { kind: 'all' };

/** What a period-filtered read is asked with. */
export interface PeriodRead {
  db: Db;
  timeZone: string;
  period?: Period;
}
export type PlayerRead = PeriodRead & { playerId: number };
export type PairRead = PeriodRead & { a: number; b: number };

const pad = (n: number) => String(n).padStart(2, '0');
const pad4 = (n: number) => String(n).padStart(4, '0');

/** "2026", "2026-11", or "" for all time: the value used in links. */
export function periodKey(p: Period): string {
  return p.kind === 'all' ? '' : p.kind === 'year' ? String(p.year) : `${p.year}-${pad(p.month)}`;
}

/** The query string for a period, "" for all time. */
export function periodQuery(p: Period): string {
  return p.kind === 'all' ? '' : p.kind === 'year' ? `?year=${p.year}` : `?month=${periodKey(p)}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function periodLabel(p: Period): string {
  return p.kind === 'all' ? 'All time' : p.kind === 'year' ? String(p.year) : `${MONTHS[p.month - 1]} ${p.year}`;
}

/** Local dates [from, to) bounding the period, or null for all time. */
export function periodBounds(p: Period): [string, string] | null {
  if (p.kind === 'all') return null;
  if (p.kind === 'year') return [`${pad4(p.year)}-01-01`, `${pad4(p.year + 1)}-01-01`];
  const next = p.month === 12 ? { y: p.year + 1, m: 1 } : { y: p.year, m: p.month + 1 };
  return [`${pad4(p.year)}-${pad(p.month)}-01`, `${pad4(next.y)}-${pad(next.m)}-01`];
}

/**
 * A SQL condition keeping `column` inside the period: local midnights in the league's
 * zone, turned into instants so that the index on the timestamp can be used.
 */
export function periodCondition(p: Period, column: string, timeZone: string): { sql: string; bindings: string[] } {
  const bounds = periodBounds(p);
  if (!bounds) return { sql: 'true', bindings: [] };
  return {
    sql: `${column} >= (cast(? as timestamp) at time zone ?) and ${column} < (cast(? as timestamp) at time zone ?)`,
    bindings: [bounds[0], timeZone, bounds[1], timeZone],
  };
}

/**
 * `?month=2026-11` or `?year=2026` (or neither: all time). Years run from 1000 to 9999:
 * four digits, so that "0000" (a year the calendar does not have) is refused here rather
 * than by the database.
 */
export const periodQuerySchema = z
  .object({
    month: z.string().regex(/^([1-9]\d{3})-(0[1-9]|1[0-2])$/).optional(),
    year: z.string().regex(/^[1-9]\d{3}$/).optional(),
  })
  .refine((q) => !(q.month && q.year), { error: 'Choose a month or a year, not both.' })
  .transform((q): Period => {
    if (q.month) return { kind: 'month', year: Number(q.month.slice(0, 4)), month: Number(q.month.slice(5, 7)) };
    if (q.year) return { kind: 'year', year: Number(q.year) };
    return ALL_TIME;
  });

export const PERIOD_ERROR = 'That is not a period we know. Months look like 2026-11, years like 2026.';

/** The same condition with named bindings (`:p0`…), for queries written with Knex's named bindings. */
export function periodConditionNamed(p: Period, column: string, timeZone: string, prefix: string): { sql: string; bindings: Record<string, string> } {
  const c = periodCondition(p, column, timeZone);
  const bindings: Record<string, string> = {};
  let i = 0;
  const sql = c.sql.replace(/\?/g, () => {
    const key = `${prefix}${i}`;
    bindings[key] = c.bindings[i++] ?? '';
    return `:${key}`;
  });
  return { sql, bindings };
}
