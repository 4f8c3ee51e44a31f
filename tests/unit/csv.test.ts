import { describe, expect, it } from 'vitest';
import { readHandsCsv } from '../../src/transfer/csv.js';
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
