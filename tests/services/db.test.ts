import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { rawRows } from '../../src/db.js';

const t = useTestDb();

describe('the data layer', () => {
  it('returns counts, sums and numerics as numbers on either engine', async () => {
    const rows = await rawRows<Record<string, unknown>>(t.db, 'select count(*) as c, sum(x) as s, avg(x) as a, 2.5::numeric as n from (values (1), (2)) v(x)');
    expect(rows[0]).toEqual({ c: 2, s: 3, a: 1.5, n: 2.5 });
    expect(await t.db('players').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
