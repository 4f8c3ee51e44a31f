import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { useTestDb } from '../support/db.js';
import { client, createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { ratingsRecompute } from '../../src/ratings/services.js';

const t = useTestDb();
const HEADER = 'date,player_a,player_b,outcome,winner,deadwood\n';

const liveHands = async () => Number((await t.db('live_hands').count({ n: '*' }))[0]?.n);
const ratings = async () => (await t.db('ratings').orderBy(['hand_id', 'player_id']).select('hand_id', 'player_id', 'before', 'after')) as unknown[];

async function upload(c: ReturnType<typeof client>, body: string) {
  const { csrf } = await c.formTokens('/export');
  return c.agent.post(`/import/hands?_csrf=${encodeURIComponent(csrf)}`).attach('file', Buffer.from(body), 'hands.csv');
}
async function commit(c: ReturnType<typeof client>, csv: string, repeats?: string, expected = 303) {
  const { csrf } = await c.formTokens('/export');
  const res = await c.agent.post(`/import/hands/commit?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ _csrf: csrf, csv, ...(repeats ? { repeats } : {}) });
  expect(res.status, res.text.slice(0, 200)).toBe(expected);
  return res;
}

const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', "'=quoted", "'Tis Me"];

describe('CSV exports are safe in a spreadsheet', () => {
  it('neutralises every cell that a spreadsheet would run as a formula, in hands and games', async () => {
    const players = [];
    for (const name of FORMULAS) players.push(await makePlayer(t.db, name));
    const [first, ...rest] = players;
    for (const p of rest) await makeHand(t.db, { playerAId: first!.id, playerBId: p.id, outcome: 'knock', winner: 'b', deadwood: 3 });
    const app = createTestApp(t.db);
    for (const path of ['/export/hands.csv', '/export/games.csv']) {
      const text = (await request(app).get(path).expect(200)).text;
      const cells = parse(text).flat();
      expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c)), path).toEqual([]);
    }
    const hands = (await request(app).get('/export/hands.csv')).text;
    expect(hands).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(hands).toContain(",'+1+1,");
    expect(hands).toContain(",''=quoted,");
  });

  it('reads the neutralised cells back as they were: exporting then importing adds nothing', async () => {
    const players = [];
    for (const name of FORMULAS) players.push(await makePlayer(t.db, name));
    const [first, ...rest] = players;
    for (const p of rest) await makeHand(t.db, { playerAId: p.id, playerBId: first!.id, outcome: 'gin', winner: 'a', deadwood: 9 });
    const c = client(createTestApp(t.db));
    const csv = (await c.agent.get('/export/hands.csv')).text;
    const preview = await upload(c, csv);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('0 to import, 5 already in the league.');
    expect(preview.text).not.toContain('New players');
    await commit(c, csv);
    expect(await liveHands()).toBe(5);
    expect(await t.db('players').count({ n: '*' })).toEqual([{ n: 6 }]);
  });
});

describe('imports never double the league', () => {
  async function league() {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 4, playedAt: new Date('2026-10-01T19:30:27Z') });
    await makeHand(t.db, { playerAId: bob.id, playerBId: alice.id, outcome: 'knock', winner: 'a', deadwood: 11, playedAt: new Date('2026-10-02T20:00:00Z') });
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'draw', playedAt: new Date('2026-10-03T20:00:00Z') });
    return { alice, bob };
  }

  it.each([
    ['as exported', (s: string) => s],
    ['with CRLF line endings', (s: string) => s.replace(/\n/g, '\r\n')],
    ['with CR line endings', (s: string) => s.replace(/\n/g, '\r')],
    ['with a BOM', (s: string) => `\uFEFF${s}`],
    ['with trailing blank lines', (s: string) => `${s}\n\n  \n,,,,,\n`],
    ['with all of it', (s: string) => `\uFEFF${s.replace(/\n/g, '\r\n')}\r\n\r\n`],
  ])('re-importing its own export %s adds 0 hands', async (_name, change) => {
    await league();
    const c = client(createTestApp(t.db));
    const csv = change((await c.agent.get('/export/hands.csv')).text);
    const preview = await upload(c, csv);
    expect(preview.text).toContain('Every hand of this file is already in the league');
    await commit(c, csv);
    expect((await c.agent.get('/')).text).toContain('Imported 0 hands (3 were already there).');
    expect(await liveHands()).toBe(3);
  });

  it('recognises a hand by its content: the pair in either order, the names as written, to the minute', async () => {
    await league();
    const c = client(createTestApp(t.db));
    const csv = `${HEADER}2026-10-01 19:30,ＢＯＢ,alice,gin,ALICE,4\n2026-10-02 20:00,Alice,Bob,knock,Alice,12\n`;
    const preview = await upload(c, csv);
    expect(preview.text).toContain('1 to import, 1 already in the league.');
    expect(preview.text).toContain('“ＢＯＢ” is Bob.');
    expect(preview.text).toMatch(/<td>2<\/td><td>2026-10-01 19:30<\/td><td>ＢＯＢ v alice<\/td>\s*<td>gin, alice\s*<span class="tag is-light import-status">already there<\/span>/);
    await commit(c, csv);
    expect(await liveHands()).toBe(4);
    expect(await t.db('players').count({ n: '*' })).toEqual([{ n: 2 }]);
  });

  it('checks each hand by the same rules as the form: a knock of 0 is refused, pointing to Undercut', async () => {
    const c = client(createTestApp(t.db));
    const res = await upload(c, `${HEADER}2026-10-01,Alice,Bob,knock,Alice,0\n2026-10-01,Alice,Bob,undercut,Bob,0\n`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('A knock with a difference of 0 is an undercut');
    expect(await liveHands()).toBe(0);
  });

  it('refuses names that break the rule, row by row', async () => {
    const c = client(createTestApp(t.db));
    const res = await upload(c, `${HEADER}2026-10-01,Bob\u200B,Alice,gin,Alice,4\n2026-10-01,\u202Eevil,Alice,gin,Alice,4\n2026-10-01,${'x'.repeat(41)},Alice,gin,Alice,4\n`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('player_a: A name cannot contain invisible formatting characters such as zero-width spaces or text-direction marks (U+200B).');
    expect(res.text).toContain('(U+202E)');
    expect(res.text).toContain('player_a: A name can be at most 40 characters; this one has 41.');
  });

  it('flags rows repeated within a file and needs a choice: once, or each', async () => {
    const c = client(createTestApp(t.db));
    const csv = `${HEADER}2026-09-01 20:00,Alice,Bob,gin,Alice,5\n2026-09-01 20:00,Bob,Alice,gin,Alice,5\n2026-09-02,Alice,Bob,knock,Bob,3\n`;
    const preview = await upload(c, csv);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('same as line 2');
    expect(preview.text).toContain('1 row repeats an earlier line of the file');
    const refused = await commit(c, csv, undefined, 422);
    expect(refused.text).toContain('choose whether to import them once or each time');
    expect(await liveHands()).toBe(0);
    await commit(c, csv, 'once');
    expect(await liveHands()).toBe(2);
    // Each time: the league now has one of the two, so one more.
    await commit(c, csv, 'each');
    expect(await liveHands()).toBe(3);
    await commit(c, csv, 'each');
    expect(await liveHands()).toBe(3);
  });
});

describe('undoing an import', () => {
  it('is one activity entry that takes back every hand of the import, with ratings as a full recompute', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 10, playedAt: new Date('2026-08-01T20:00:00Z') });
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 10, playedAt: new Date('2026-10-01T20:00:00Z') });
    const before = await ratings();
    const c = client(createTestApp(t.db));
    const csv = `${HEADER}2026-09-01 20:00,Alice,Bob,gin,Alice,5\n2026-09-02,Alice,Carol,knock,Carol,3\n2026-10-01 20:00,Alice,Bob,knock,Alice,10\n`;
    await commit(c, csv);
    expect(await liveHands()).toBe(4);
    const entries = await t.db('activity').where({ action: 'hands.imported' });
    expect(entries).toHaveLength(1);
    const log = await c.agent.get('/activity');
    expect(log.text).toContain('imported 2 hands from a CSV file, adding Carol');
    const undo = /action="(\/imports\/\d+\/undo)"[\s\S]*?Undo this import/.exec(log.text)?.[1];
    expect(undo).toBeDefined();
    const { csrf } = await c.formTokens('/activity');
    await c.agent.post(undo!).type('form').send({ _csrf: csrf });
    expect(await liveHands()).toBe(2);
    expect(await ratings()).toEqual(before);
    await ratingsRecompute({ db: t.db, from: null });
    expect(await ratings()).toEqual(before);
    const after = await c.agent.get('/activity');
    expect(after.text).toContain('Import undone: 2 hands taken back.');
    expect(after.text).not.toContain('Undo this import');
    // A second click changes nothing.
    await c.agent.post(undo!).type('form').send({ _csrf: csrf });
    expect(await liveHands()).toBe(2);
    expect((await c.agent.get('/activity')).text).toContain('That import was already undone.');
  });
});
