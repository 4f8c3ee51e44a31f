import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvCellRead, csvCellWrite, importPlan, readHandsCsv } from '../../src/transfer/csv.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';

const read = (text: string) => readHandsCsv(text, NORTH_AMERICAN);

describe('readHandsCsv', () => {
  it('reads hands, scoring them, with line numbers', () => {
    const result = read('date,player_a,player_b,outcome,winner,deadwood\n2026-10-01,Alice,Bob,gin,alice,5\n\n2026-10-02 21:15,Alice,Carol,draw,,\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows.map((r) => [r.line, r.localTime, r.outcome, r.winner, r.points, r.errors])).toEqual([
      [2, '2026-10-01 20:00', 'gin', 'Alice', 30, []],
      [4, '2026-10-02 21:15', 'draw', null, 0, []],
    ]);
  });

  it('names each bad row\'s faults', () => {
    const result = read(
      'date,player_a,player_b,outcome,winner,deadwood\n' +
        '2026-02-31,Alice,Bob,knock,Alice,5\n' +
        '2026-10-01,Alice,alice,knock,Alice,5\n' +
        '2026-10-01,Alice,Bob,schneider,Alice,5\n' +
        '2026-10-01,Alice,Bob,knock,Zed,500\n' +
        '2026-10-01,Alice,Bob\n',
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.rows.map((r) => r.errors)).toEqual([
      ['date "2026-02-31" is not a date like 2026-11-23 or 2026-11-23 20:30'],
      ['a player cannot play themselves'],
      ['outcome "schneider" is not one of knock, gin, big_gin, undercut, draw'],
      ['winner "Zed" is neither player', 'deadwood "500" is not a whole number from 0 to 200'],
      ['expected 6 columns, found 3', 'outcome "" is not one of knock, gin, big_gin, undercut, draw'],
    ]);
  });

  it.each([
    ['the wrong columns', 'when,who\n2026-01-01,x\n', /must name the columns date, player_a, player_b, outcome, winner, deadwood/],
    ['no rows', 'date,player_a,player_b,outcome,winner,deadwood\n', /no hands/],
    ['binary data', '\u0000\u0001PNG', /not a CSV file/],
    ['broken quoting', 'date,player_a,player_b,outcome,winner,deadwood\n"2026-01-01,Alice\n', /could not be read as CSV/],
    ['an empty file', '', /must name the columns/],
  ])('refuses %s', (_name, text, message) => {
    const result = read(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('formula cells (OWASP CSV injection)', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ["'Tis", "''Tis"],
    ['Alice', 'Alice'],
    ['', ''],
  ])('writes %j as %j and reads it back', (value, written) => {
    expect(csvCellWrite(value)).toBe(written);
    expect(csvCellRead(written)).toBe(value);
  });

  it('reads back whatever it writes', () => {
    fc.assert(fc.property(fc.string(), (s) => csvCellRead(csvCellWrite(s)) === s));
  });

  it('never writes a cell a spreadsheet would run', () => {
    fc.assert(fc.property(fc.string(), (s) => !/^[=+\-@\t\r]/.test(csvCellWrite(s))));
  });
});

describe('importPlan', () => {
  const plan = (keys: string[], league: Record<string, number>, choice: 'once' | 'each' | null = null) => importPlan(keys, new Map(Object.entries(league)), choice);

  it('adds what the league lacks and counts what it has', () => {
    expect(plan(['x', 'y'], { x: 1 })).toMatchObject({ toAdd: [1], already: 1, repeats: 0, needsChoice: false });
  });

  it('asks about repeats only when the choice changes what is added', () => {
    expect(plan(['x', 'x'], { x: 2 })).toMatchObject({ toAdd: [], already: 2, needsChoice: false });
    expect(plan(['x', 'x'], {})).toMatchObject({ toAdd: [0], repeats: 1, needsChoice: true });
    expect(plan(['x', 'x'], {}, 'each')).toMatchObject({ toAdd: [0, 1] });
    expect(plan(['x', 'x', 'x'], { x: 1 }, 'each')).toMatchObject({ toAdd: [1, 2], already: 1 });
    expect(plan(['x', 'x', 'x'], { x: 1 }, 'once')).toMatchObject({ toAdd: [], already: 1 });
  });

  it('is idempotent: after adding the plan, the same file adds nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 12 }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.nat(3)), fc.constantFrom('once' as const, 'each' as const), (keys, league, choice) => {
        const counts = new Map(Object.entries(league));
        const first = importPlan(keys, counts, choice);
        for (const i of first.toAdd) counts.set(keys[i] as string, (counts.get(keys[i] as string) ?? 0) + 1);
        expect(importPlan(keys, counts, choice).toAdd).toEqual([]);
      }),
    );
  });
});
