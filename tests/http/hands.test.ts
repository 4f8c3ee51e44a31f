import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { leaderboardGet } from '../../src/leaderboard/selectors.js';

const t = useTestDb();

async function setUp() {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const c = client(createTestApp(t.db));
  const { csrf, html } = await c.formTokens('/hands/new');
  return { alice, bob, c, csrf, html, token: hiddenValue(html, 'token') };
}

const handCount = async () => Number((await t.db('hands').count({ n: '*' }))[0]?.n);

describe('GET /hands/new', () => {
  it('asks for two players first when the league has fewer', async () => {
    const res = await client(createTestApp(t.db)).agent.get('/hands/new').expect(200);
    expect(res.text).toContain('A hand needs two players');
    expect(res.text).toContain('href="/players"');
  });

  it('preselects the pair that played last, and has a numeric keypad for deadwood', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const carol = await makePlayer(t.db, 'Carol');
    await makeHand(t.db, { playerAId: carol.id, playerBId: alice.id, outcome: 'knock', winner: 'a', deadwood: 4 });
    const res = await client(createTestApp(t.db)).agent.get('/hands/new').expect(200);
    expect(res.text).toMatch(new RegExp(`id="field-playerA"[\\s\\S]*?<option value="${carol.id}" selected>`));
    expect(res.text).toMatch(new RegExp(`id="field-playerB"[\\s\\S]*?<option value="${alice.id}" selected>`));
    expect(res.text).toMatch(/name="deadwood"[^>]*inputmode="numeric"/);
    expect(res.text).not.toMatch(new RegExp(`<option value="${bob.id}" selected>`));
  });
});

describe('POST /hands', () => {
  it('records a gin through the form and confirms it on the leaderboard', async () => {
    const { alice, bob, c, csrf, token } = await setUp();
    const res = await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'a', deadwood: '2' })
      .expect(303);
    expect(res.headers.location).toBe('/');
    const page = await c.agent.get('/').expect(200);
    expect(page.text).toContain('Alice +27 (gin)');
    // The row stored, and the standings the page is made from (not a regex over its HTML).
    expect(await t.db('hands').first()).toMatchObject({ player_a_id: alice.id, winner_id: alice.id, outcome: 'gin', points: 27 });
    const standings = await leaderboardGet({ db: t.db, timeZone: 'UTC' });
    expect(standings.find((r) => r.name === 'Alice')).toMatchObject({ played: 1, won: 1, points: 27, total: 52 });
    expect(page.text).toContain('>52<');
    // The flash is shown once.
    expect((await c.agent.get('/')).text).not.toContain('Alice +27 (gin)');
  });

  it('records a draw without a winner or deadwood', async () => {
    const { alice, bob, c, csrf, token } = await setUp();
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id), outcome: 'draw' })
      .expect(303);
    expect((await c.agent.get('/')).text).toContain('Draw between Alice and Bob.');
    expect(await handCount()).toBe(1);
  });

  it('records a double tap once', async () => {
    const { alice, bob, c, csrf, token } = await setUp();
    const body = { _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'b', deadwood: '9' };
    await c.agent.post('/hands').type('form').send(body).expect(303);
    await c.agent.post('/hands').type('form').send(body).expect(303);
    expect(await handCount()).toBe(1);
  });

  it.each([
    ['deadwood not a number', { deadwood: 'lots' }, 'deadwood', /whole number from 0 to 200/],
    ['deadwood too large', { deadwood: '201' }, 'deadwood', /whole number from 0 to 200/],
    ['deadwood negative', { deadwood: '-5' }, 'deadwood', /whole number from 0 to 200/],
    ['deadwood fractional', { deadwood: '2.5' }, 'deadwood', /whole number from 0 to 200/],
    ['deadwood missing', { deadwood: '' }, 'deadwood', /Enter the deadwood difference/],
    ['no winner', { winner: '' }, 'winner', /Choose who won the hand/],
    ['unknown outcome', { outcome: 'schneider' }, 'outcome', /Choose how the hand ended/],
    ['same player twice', { playerB: 'A' }, 'playerB', /two different players/],
    ['malformed player id', { playerA: 'abc' }, 'playerA', /Choose the first player/],
  ])('answers 422 with the form kept for %s', async (_name, change, field, message) => {
    const { alice, bob, c, csrf, token } = await setUp();
    const body: Record<string, string> = { _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '12', ...change };
    if (body.playerB === 'A') body.playerB = String(alice.id);
    const res = await c.agent.post('/hands').type('form').send(body).expect(422);
    expect(res.text).toMatch(new RegExp(`id="field-${field}-error">[^<]*${message.source}`));
    expect(res.text).toContain('nothing was saved');
    // What the user typed is still there.
    if (field === 'deadwood' && body.deadwood) expect(res.text).toContain(`value="${body.deadwood}"`);
    if (field !== 'outcome') expect(res.text).toMatch(new RegExp(`value="${body.outcome}" checked`));
    expect(await handCount()).toBe(0);
  });

  it('answers 422, not 500, for a player id that does not exist', async () => {
    const { alice, c, csrf, token } = await setUp();
    const res = await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token, playerA: String(alice.id), playerB: '424242', outcome: 'knock', winner: 'a', deadwood: '3' })
      .expect(422);
    expect(res.text).toMatch(/no longer exists/);
    expect(await handCount()).toBe(0);
  });

  it('answers 403 without a CSRF token, and saves nothing', async () => {
    const { alice, bob, c, token } = await setUp();
    const res = await c.agent
      .post('/hands')
      .type('form')
      .send({ token, playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '3' })
      .expect(403);
    expect(res.text).toMatch(/did not come from this site/);
    expect(await handCount()).toBe(0);
  });

  it('answers 403 for a token from another session', async () => {
    const { alice, bob, token, csrf } = await setUp();
    const stranger = client(createTestApp(t.db));
    await stranger.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '3' })
      .expect(403);
    expect(await handCount()).toBe(0);
  });
});
