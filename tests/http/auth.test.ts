import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue, signIn, TEST_PASSCODE, TEST_SECRET_KEY } from '../support/app.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();
const members = { LEAGUE_PASSCODE: TEST_PASSCODE };
const handCount = async () => Number((await t.db('hands').count({ n: '*' }))[0]?.n);

async function pair() {
  return [await makePlayer(t.db, 'Alice'), await makePlayer(t.db, 'Bob')] as const;
}

describe('a league with a passcode', () => {
  it('lets anyone read, and sends form pages to sign in first', async () => {
    await pair();
    const app = createTestApp(t.db, members);
    await request(app).get('/').expect(200);
    await request(app).get('/players').expect(200);
    const res = await request(app).get('/hands/new').expect(303);
    expect(res.headers.location).toBe('/sign-in?next=%2Fhands%2Fnew');
    expect((await request(app).get('/players')).text).toContain('Sign in</a> to add or rename players');
  });

  it('refuses writes while signed out with 401 and a clear message, saving nothing', async () => {
    const [alice, bob] = await pair();
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    const res = await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token: 'abcdefghijklmnopqrst', playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '5' })
      .expect(401);
    expect(res.text).toContain('Only members of the league can record or change scores');
    expect(await handCount()).toBe(0);
  });

  it('signs in with the passcode for a year, records who wrote, and signs out', async () => {
    const [alice, bob] = await pair();
    const c = client(createTestApp(t.db, members));
    const { csrf, html } = await c.formTokens('/sign-in?next=/hands/new');
    expect(hiddenValue(html, 'next')).toBe('/hands/new');
    const res = await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE, who: String(bob.id), next: '/hands/new' }).expect(303);
    expect(res.headers.location).toBe('/hands/new');
    const cookie = String(res.headers['set-cookie']);
    const expires = new Date(/expires=([^;]+)/i.exec(cookie)?.[1] ?? 0).getTime();
    expect(expires - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);

    const form = await c.formTokens('/hands/new');
    expect(form.html).toContain('Signed in as Bob.');
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'b', deadwood: '5' })
      .expect(303);
    expect(await t.db('hands').first('created_by')).toEqual({ created_by: bob.id });
    const activity = await c.agent.get('/activity').expect(200);
    expect(activity.text).toContain('<strong>Bob</strong> recorded Bob +30 (gin) v Alice');

    const out = await c.formTokens('/');
    await c.agent.post('/sign-out').type('form').send({ _csrf: out.csrf }).expect(303);
    await c.agent.get('/hands/new').expect(303);
  });

  it('says when the passcode is wrong, without echoing it, and keeps the choice', async () => {
    const [alice] = await pair();
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    const res = await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: 'wrong-guess', who: String(alice.id) }).expect(422);
    expect(res.text).toContain('That passcode is not right');
    expect(res.text).not.toContain('wrong-guess');
    expect(res.text).toContain(`<option value="${alice.id}" selected>`);
    await c.agent.get('/hands/new').expect(303);
  });

  it('signs in someone new, adding them as a player', async () => {
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE, who: 'new', newName: ' Carol ' }).expect(303);
    expect(await t.db('players').select('name')).toEqual([{ name: 'Carol' }]);
    expect((await c.agent.get('/')).text).toContain('Signed in as Carol.');
  });

  it('limits failed sign-ins per client, with a clear message', async () => {
    const [alice] = await pair();
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    for (let i = 0; i < 10; i++) {
      await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: `guess-${i}`, who: String(alice.id) }).expect(422);
    }
    const blocked = await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE, who: String(alice.id) }).expect(429);
    expect(blocked.text).toContain('Too many sign-in attempts');
    expect(blocked.headers['retry-after']).toBe('900');
    // The count lives in the database: another process (here, another app) sees it too.
    const other = client(createTestApp(t.db, members));
    const { csrf: otherCsrf } = await other.formTokens('/sign-in');
    await other.agent.post('/sign-in').type('form').send({ _csrf: otherCsrf, passcode: TEST_PASSCODE, who: String(alice.id) }).expect(429);
  });

  it('treats a tampered session cookie as signed out', async () => {
    const [alice, bob] = await pair();
    const c = client(createTestApp(t.db, members));
    await signIn(c, alice.id);
    const page = await c.agent.get('/hands/new').expect(200);
    const csrf = hiddenValue(page.text, '_csrf');
    // Forge a session for Bob without the signature's key.
    const forged = Buffer.from(JSON.stringify({ member: { playerId: bob.id, name: 'Bob' }, csrfToken: csrf })).toString('base64');
    const res = await request(createTestApp(t.db, members))
      .post('/hands')
      .set('Cookie', `grl.session=${forged}; grl.session.sig=not-the-signature`)
      .type('form')
      .send({ _csrf: csrf, token: 'abcdefghijklmnopqrst', playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '5' });
    expect([401, 403]).toContain(res.status);
    expect(await handCount()).toBe(0);
  });

  it('sends only a same-site next after sign-in', async () => {
    const [alice] = await pair();
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    const res = await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE, who: String(alice.id), next: '//evil.example/' }).expect(303);
    expect(res.headers.location).toBe('/');
  });
});

describe('signing in as someone new', () => {
  it('takes a typed name as someone new when "who are you" is left alone, and keeps the passcode accepted', async () => {
    await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE, who: '', newName: 'Alice' }).expect(303);
    const players = await t.db('players').orderBy('id');
    expect(players.map((p) => p.name)).toEqual(['Bob', 'Alice']);
    expect((await c.agent.get('/').expect(200)).text).toMatch(/Sign out/);
    // The log says Alice joined, by herself, not that "someone" added her.
    const entry = await t.db('activity').where({ action: 'player.created', subject_id: players[1]?.id }).first();
    expect(entry).toMatchObject({ actor_id: players[1]?.id, summary: 'joined the league' });
    expect(players[1]?.created_by).toBe(players[1]?.id);
  });

  it('asks who you are, without asking for the passcode again, when neither is given', async () => {
    const c = client(createTestApp(t.db, members));
    const { csrf } = await c.formTokens('/sign-in');
    const res = await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE, who: '', newName: '' });
    expect([303, 422]).toContain(res.status);
    const page = res.status === 303 ? (await c.agent.get(res.headers.location as string)).text : res.text;
    expect(page).toContain('Who are you?');
    expect(page).not.toContain('name="passcode"');
  });
});

describe('a private league', () => {
  it('hides every page from signed-out visitors but the health check', async () => {
    const [alice] = await pair();
    const env = { ...members, PRIVATE_LEAGUE: 'true' };
    const app = createTestApp(t.db, env);
    expect((await request(app).get('/').expect(303)).headers.location).toBe('/sign-in?next=%2F');
    await request(app).get('/players').expect(303);
    await request(app).get('/activity').expect(303);
    await request(app).get('/healthz').expect(200);
    const c = client(createTestApp(t.db, env));
    await signIn(c, alice.id);
    await c.agent.get('/').expect(200);
  });
});

describe('an open league', () => {
  it('says so in a banner outside production', async () => {
    const res = await request(createTestApp(t.db)).get('/').expect(200);
    expect(res.text).toContain('This league is open: anyone can change the scores');
    const prod = await request(createTestApp(t.db, { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, OPEN_LEAGUE: 'true' })).get('/').expect(200);
    expect(prod.text).not.toContain('This league is open');
    const closed = await request(createTestApp(t.db, members)).get('/').expect(200);
    expect(closed.text).not.toContain('This league is open');
  });
});
