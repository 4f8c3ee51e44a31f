import { describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/cli/seedDemo.js';
import { leaderboardGet, monthListActive } from '../../src/leaderboard/selectors.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';
import { useTestDb } from '../support/db.js';

const t = useTestDb();

describe('seedDemo', () => {
  it('fills an empty league with two players and a few months of hands, once', async () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const hands = await seedDemo({ db: t.db, rules: NORTH_AMERICAN, now });
    expect(hands).toBeGreaterThan(50);
    const standings = await leaderboardGet({ db: t.db, timeZone: 'UTC' });
    expect(standings.map((s) => s.name).sort()).toEqual(['Alice', 'Bob']);
    expect(standings[0]?.played).toBe(hands);
    expect((await monthListActive({ db: t.db, timeZone: 'UTC' })).length).toBeGreaterThanOrEqual(3);
    expect(await seedDemo({ db: t.db, rules: NORTH_AMERICAN, now })).toBe(0);
    expect(Number((await t.db('hands').count({ n: '*' }))[0]?.n)).toBe(hands);
  });
});
