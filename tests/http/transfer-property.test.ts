/*
 * The law of export and import (fast-check): for any league of quick hands, whatever the
 * line endings, BOM and trailing blank lines of the file,
 * - importing the league's own export into the same league adds nothing, with no choice asked;
 * - importing it into an empty league gives the same pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { readHandsCsv } from '../../src/transfer/csv.js';
import { handsImport } from '../../src/transfer/services.js';
import { NORTH_AMERICAN, OUTCOMES } from '../../src/scoring/rules.js';
import type { Db } from '../../src/db.js';

const NAMES = ['Alice', 'Bob', '=HYPERLINK("http://evil.example","x")', '-Minus', '+Plus', '@At', "'Tis", 'Zoé', 'Ｗｉｄｅ', '"Quoted, comma"', '李雷', '\tTab'];

const hand = fc.record({
  a: fc.integer({ min: 0, max: NAMES.length - 1 }),
  b: fc.integer({ min: 0, max: NAMES.length - 1 }),
  outcome: fc.constantFrom(...OUTCOMES),
  winner: fc.constantFrom('a' as const, 'b' as const),
  deadwood: fc.integer({ min: 0, max: 40 }),
  // Few distinct minutes, so that identical hands in one minute happen.
  minute: fc.integer({ min: 0, max: 12 }).map((n) => n * 997),
  second: fc.integer({ min: 0, max: 59 }),
})
  // A knock of 0 is refused (it is an undercut), so the league cannot hold one.
  .filter((h) => h.a !== h.b && !(h.outcome === 'knock' && h.deadwood === 0));
const fileShape = fc.record({
  endings: fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 5 }),
  bom: fc.boolean(),
  trailing: fc.array(fc.constantFrom('', ' ', ',,,,,', '\t'), { maxLength: 3 }),
});

/** The export as another program might have saved it: its own line endings, a BOM, blank lines at the end. */
function reshape(csv: string, shape: { endings: string[]; bom: boolean; trailing: string[] }): string {
  let i = 0;
  const body = csv.replace(/\n/g, () => shape.endings[i++ % shape.endings.length] as string);
  const end = shape.endings[0] as string;
  return `${shape.bom ? '\uFEFF' : ''}${body}${shape.trailing.map((t) => `${t}${end}`).join('')}`;
}

let source: TestDb;
let target: TestDb;

beforeAll(async () => {
  [source, target] = await Promise.all([createTestDb(), createTestDb()]);
});
afterAll(async () => {
  await Promise.all([source?.destroy(), target?.destroy()]);
});

type Hand = typeof hand extends fc.Arbitrary<infer T> ? T : never;

async function makeLeague(db: Db, hands: Hand[]) {
  const ids = new Map<number, number>();
  const idOf = async (i: number) => {
    if (!ids.has(i)) ids.set(i, (await makePlayer(db, NAMES[i])).id);
    return ids.get(i) as number;
  };
  const base = Date.UTC(2026, 8, 1, 18, 0, 0);
  const sorted = hands.filter((h) => h.a !== h.b).sort((x, y) => x.minute - y.minute || x.second - y.second);
  for (const h of sorted) {
    const playerAId = await idOf(h.a);
    const playerBId = await idOf(h.b);
    const draw = h.outcome === 'draw';
    await makeHand(db, {
      playerAId,
      playerBId,
      outcome: h.outcome,
      winner: draw ? undefined : h.winner,
      deadwood: draw ? undefined : h.deadwood,
      playedAt: new Date(base + h.minute * 60_000 + h.second * 1000),
    });
  }
  return sorted.length;
}

/** The pages that show a league, with what names a row (ids, tokens) put in terms of names. */
async function pages(db: Db): Promise<Record<string, string>> {
  const app = createTestApp(db);
  const players = await db('players').orderBy('id').select('id', 'name');
  const nameOf = new Map(players.map((p) => [String(p.id), p.name]));
  const paths = ['/', '/?order=rating', '/records', ...players.map((p) => `/players/${p.id}`)];
  if (players.length >= 2) paths.push(`/head-to-head/${players[0]?.id}/${players[1]?.id}`);
  const out: Record<string, string> = {};
  for (const path of paths) {
    const res = await request(app).get(path).expect(200);
    const key = path.replace(/\d+/g, (id) => `<${nameOf.get(id)}>`);
    out[key] = res.text
      .replace(/name="(_csrf|token)" value="[^"]*"/g, '')
      // The league's version (live pages) counts writes, which a restore makes.
      .replace(/<meta name="live-version" content="\d+">/, '')
      // The file keeps times to the minute, as pages show them; only the machine-readable seconds differ.
      .replace(/(datetime="[^"]*T\d\d:\d\d):\d\d\.\d{3}Z"/g, '$1Z"')
      .replace(/(\/players\/|\/head-to-head\/|\/head-to-head\/\d+\/|value=")(\d+)/g, (_m, pre: string, id: string) => `${pre}<${nameOf.get(id) ?? id}>`)
      .replace(/\/hands\/\d+/g, '/hands/N');
  }
  return out;
}

describe('export then import', () => {
  it('adds nothing to the same league, and gives the same pages in an empty one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hand, { minLength: 1, maxLength: 10 }), fileShape, async (hands, shape) => {
        await Promise.all([source.reset(), target.reset()]);
        const made = await makeLeague(source.db, hands);
        const csv = reshape((await request(createTestApp(source.db)).get('/export/hands.csv').expect(200)).text, shape);
        const read = readHandsCsv(csv, NORTH_AMERICAN);
        if (!read.ok) throw new Error(read.message);
        expect(read.rows).toHaveLength(made);
        expect(read.rows.flatMap((r) => r.errors)).toEqual([]);

        // Into the same league: nothing added, and no question asked.
        const same = await handsImport({ db: source.db, rows: read.rows, rules: NORTH_AMERICAN, timeZone: 'UTC' });
        expect(same).toMatchObject({ imported: 0, alreadyThere: made, playersAdded: [] });
        expect(Number((await source.db('live_hands').count({ n: '*' }))[0]?.n)).toBe(made);

        // Into an empty league: the same pages.
        const fresh = await handsImport({ db: target.db, rows: read.rows, rules: NORTH_AMERICAN, timeZone: 'UTC', choice: 'each' });
        expect(fresh.imported).toBe(made);
        expect(await pages(target.db)).toEqual(await pages(source.db));
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});
