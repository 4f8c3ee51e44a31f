import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { seedDemo } from '../../src/cli/seedDemo.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';
import { handVoid } from '../../src/hands/services.js';
import { leaderboardGet } from '../../src/leaderboard/selectors.js';

const t = useTestDb();
const HEADER = 'date,player_a,player_b,outcome,winner,deadwood\n';
const counts = async () => ({
  players: Number((await t.db('players').count({ n: '*' }))[0]?.n),
  hands: Number((await t.db('hands').count({ n: '*' }))[0]?.n),
});

async function status<T extends { status: number; text: string }>(pending: Promise<T>, expected: number): Promise<T> {
  const res = await pending;
  expect(res.status, res.text.slice(0, 300)).toBe(expected);
  return res;
}

async function upload(c: ReturnType<typeof client>, path: string, body: string | Buffer, name = 'hands.csv') {
  const { csrf } = await c.formTokens('/export');
  // The token rides in the URL, as the form's action has it: the body is read after the check.
  return c.agent.post(`${path}?_csrf=${encodeURIComponent(csrf)}`).attach('file', Buffer.from(body), name);
}

describe('export', () => {
  it('sends the hands and games as CSV and the league as JSON', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob, "the Knocker"');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'b', deadwood: 4, playedAt: new Date('2026-10-01T19:30:00Z') });
    const app = createTestApp(t.db, { LEAGUE_TIME_ZONE: 'Europe/London' });
    const hands = await request(app).get('/export/hands.csv').expect(200);
    expect(hands.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(hands.headers['content-disposition']).toMatch(/^attachment; filename="hands-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(hands.text).toBe('date,player_a,player_b,outcome,winner,deadwood,points,game_id,hand_number\n2026-10-01 20:30:00,Alice,"Bob, ""the Knocker""",gin,"Bob, ""the Knocker""",4,29,,\n');
    const games = await request(app).get('/export/games.csv').expect(200);
    expect(games.text).toMatch(/^id,started,finished,player_a,player_b,preset,target,status,winner,score_a,score_b,margin\n$/);
    const json = await request(app).get('/export/league.json').expect(200);
    expect(JSON.parse(json.text)).toMatchObject({ format: 'gin-rummy-leaderboard', version: 1, players: [{ name: 'Alice' }, { name: 'Bob, "the Knocker"' }], hands: [{ points: 29 }] });
  });
});

describe('importing past hands', () => {
  const good = `${HEADER}2026-09-01,Alice,Bob,gin,Alice,5\n2026-09-01 21:00,alice,Carol,knock,Carol,7\n2026-09-02,Bob,Carol,draw,,\n`;

  it('previews every row, then imports all of them once, adding players', async () => {
    await makePlayer(t.db, 'Alice');
    const c = client(createTestApp(t.db));
    const preview = await status(upload(c, '/import/hands', good), 200);
    expect(preview.text).toContain('3 hands in the file');
    expect(preview.text).toMatch(/<td>3<\/td><td>2026-09-01 21:00<\/td><td>alice v Carol<\/td>/);
    expect(await counts()).toEqual({ players: 1, hands: 0 });
    const csv = /<textarea name="csv" hidden>([\s\S]*?)<\/textarea>/.exec(preview.text)?.[1]?.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const { csrf } = await c.formTokens('/export');
    await c.agent.post(`/import/hands/commit?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ _csrf: csrf, csv }).expect(303);
    expect((await c.agent.get('/')).text).toContain('Imported 3 hands; added Bob, Carol.');
    expect(await counts()).toEqual({ players: 3, hands: 3 });
    const standings = await leaderboardGet({ db: t.db, timeZone: 'UTC' });
    expect(standings.map((s) => [s.name, s.played, s.won, s.points])).toEqual([
      ['Alice', 2, 1, 30],
      ['Carol', 2, 1, 7],
      ['Bob', 2, 0, 0],
    ]);
    // The same file committed again imports nothing more.
    await c.agent.post(`/import/hands/commit?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ _csrf: csrf, csv }).expect(303);
    expect((await c.agent.get('/')).text).toContain('Imported 0 hands (3 were already there).');
    expect(await counts()).toEqual({ players: 3, hands: 3 });
  });

  it('shows the errors by line number and imports nothing while any row is wrong', async () => {
    const c = client(createTestApp(t.db));
    const bad = `${good}2026-09-03,Alice,Bob,knock,Zed,5\n`;
    const preview = await status(upload(c, '/import/hands', bad), 422);
    expect(preview.text).toContain('4 hands in the file, 1 with errors');
    expect(preview.text).toMatch(/<td>5<\/td>[\s\S]*?winner &quot;Zed&quot; is neither player/);
    expect(preview.text).not.toContain('name="csv"');
    const { csrf } = await c.formTokens('/export');
    const commit = await c.agent.post(`/import/hands/commit?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ _csrf: csrf, csv: bad }).expect(422);
    expect(commit.text).toContain('1 of 4 rows have errors; nothing was imported.');
    expect(await counts()).toEqual({ players: 0, hands: 0 });
  });

  it.each([
    ['not CSV at all', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), /not text in UTF-8|not a CSV file/],
    ['the wrong columns', 'name,score\nAlice,3\n', /must name the columns/],
    ['only the header', HEADER, /no hands/],
  ])('refuses a file that is %s, changing nothing', async (_name, body, message) => {
    const c = client(createTestApp(t.db));
    const res = await status(upload(c, '/import/hands', body), 422);
    expect(res.text).toMatch(message);
    expect(res.text).toContain('Nothing was imported.');
    expect(await counts()).toEqual({ players: 0, hands: 0 });
  });

  it('refuses a file over 1 MB with 413', async () => {
    const c = client(createTestApp(t.db));
    const res = await upload(c, '/import/hands', HEADER + '2026-09-01,Alice,Bob,gin,Alice,5\n'.repeat(40_000));
    expect(res.status).toBe(413);
    expect(res.text).toContain('What you sent is too large.');
    expect(await counts()).toEqual({ players: 0, hands: 0 });
  });

  it('reads back its own export: the same standings in a new league', async () => {
    await seedDemo({ db: t.db, rules: NORTH_AMERICAN });
    const app = createTestApp(t.db);
    const before = await leaderboardGet({ db: t.db, timeZone: 'UTC' });
    const csv = (await request(app).get('/export/hands.csv')).text;
    await t.testDb.reset();
    const c = client(createTestApp(t.db));
    await status(upload(c, '/import/hands', csv), 200);
    const { csrf } = await c.formTokens('/export');
    await c.agent.post(`/import/hands/commit?_csrf=${encodeURIComponent(csrf)}`).type('form').send({ _csrf: csrf, csv }).expect(303);
    const after = await leaderboardGet({ db: t.db, timeZone: 'UTC' });
    const shape = (rows: typeof before) => rows.map(({ playerId: _, ...r }) => r);
    expect(shape(after)).toEqual(shape(before));
  });
});

describe('backup and restore', () => {
  /** The pages with what differs between two sessions (tokens) taken out. */
  async function pages(app: ReturnType<typeof createTestApp>, gameId: number) {
    const [alice, bob] = await t.db('players').orderBy('id');
    const out: Record<string, string> = {};
    for (const path of ['/', '/?order=rating', `/players/${alice!.id}`, `/head-to-head/${alice!.id}/${bob!.id}`, '/records', `/games/${gameId}`, '/activity']) {
      const res = await request(app).get(path).expect(200);
      // (The league's version, on live pages, counts writes, which a restore makes.)
      out[path] = res.text
        .replace(/name="(_csrf|token)" value="[^"]*"/g, '')
        .replace(/<meta name="live-version" content="\d+">/, '');
    }
    return out;
  }

  it('restores into an empty league and reproduces the same pages', async () => {
    await seedDemo({ db: t.db, rules: NORTH_AMERICAN });
    const [alice, bob] = await t.db('players').orderBy('id');
    const { id: gameId } = await gameStart({ db: t.db, playerAId: alice!.id, playerBId: bob!.id, firstDealer: 'a', preset: 'pagat', idempotencyKey: crypto.randomUUID() });
    await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'gin', winner: 'a', difference: 12 }, idempotencyKey: crypto.randomUUID() });
    const [firstHand] = await t.db('hands').orderBy('id').limit(1);
    await handVoid({ db: t.db, id: firstHand!.id, actorId: bob!.id });

    const app = createTestApp(t.db);
    const before = await pages(app, gameId);
    const backup = (await request(app).get('/export/league.json')).text;

    const c = client(app);
    const refused = await status(upload(c, '/import/backup', backup, 'league.json'), 422);
    expect(refused.text).toContain('only be restored into an empty league');

    await t.testDb.reset();
    const fresh = client(createTestApp(t.db));
    await status(upload(fresh, '/import/backup', backup, 'league.json'), 303);
    expect(await pages(createTestApp(t.db), gameId)).toEqual(before);
    // New rows carry on after the restored ids.
    const carol = await makePlayer(t.db, 'Carol');
    expect(carol.id).toBeGreaterThan(bob!.id);
  });

  it.each([
    ['not JSON', 'hello', /not a JSON backup/],
    ['some other JSON', '{"players": []}', /not a backup this app can restore/],
  ])('refuses a file that is %s', async (_name, body, message) => {
    const res = await status(upload(client(createTestApp(t.db)), '/import/backup', body, 'x.json'), 422);
    expect(res.text).toMatch(message);
    expect(await counts()).toEqual({ players: 0, hands: 0 });
  });
});
