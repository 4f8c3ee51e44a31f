/*
 * A corpus of hostile and broken input across every form field and route parameter.
 * Each must get a 4xx with a clear message, leave every table as it was, and leave the
 * server answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { rawRow } from '../../src/db.js';
import { client, createTestApp, hiddenValue, signIn, signInCopy, TEST_PASSCODE, TEST_SECRET_KEY } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** A form body; `_csrf` and `token` are filled in unless given. */
  form?: Record<string, string>;
  raw?: { body: string | Buffer; type: string };
  signedOut?: boolean;
  noCsrf?: boolean;
  cookie?: string;
  /** The CSRF token in the URL (?_csrf=), as upload forms send it. */
  csrfInUrl?: boolean;
}

const CLEAR = /is-danger|That did not work|Sign in first|Page not found|not right|Too many|expired|did not come from this site/;

// Values that no number field accepts.
const BAD_NUMBERS = ['', '-1', '-0.5', '1.5', '1e3', '0x10', '99999999999999999999', 'NaN', 'Infinity', 'abc', "1' OR '1'='1", '1; drop table hands', '<b>7</b>', '\u0000', '７', ' 5 5 '];
// Values that no id field accepts.
const BAD_IDS = ['0', '-1', 'abc', '1.0', '999999999', "1 OR 1=1", '"><script>alert(1)</script>', '\u0000', ''];
// Names that must be refused.
const BAD_NAMES = ['', '   ', 'x'.repeat(41), 'Al\u0000ice', 'Bell\u0007', 'ALICE', '<script>alert(1)</script>'.repeat(2), 'Bob\uFFFD', 'Ａｌｉｃｅ', 'Alice\u200B', '\u202Eecila', 'Al\uE000ice', '\u0301Zed'];

let testDb: TestDb;
let app: Express;
let ids: { alice: number; bob: number; game: number; gameHand: number; hand: number };
let c: ReturnType<typeof client>;
let csrf: string;
/** A session signed out on its phone, and a copy of its cookie kept (with its form token). */
let revoked: { cookie: string; csrf: string };

const BOUNDARY = 'hostile-boundary-42';
const multipart = (fields: Record<string, string>, file = 'date,player_a,player_b,outcome,winner,deadwood\n2026-09-01,Alice,Bob,gin,Alice,5\n') => ({
  type: `multipart/form-data; boundary=${BOUNDARY}`,
  body:
    Object.entries(fields)
      .map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="hands.csv"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n--${BOUNDARY}--\r\n`,
});

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // rate_limits is left out on purpose: counting failed sign-ins is its job.
  for (const table of ['players', 'hands', 'games', 'activity', 'ratings', 'league_version', 'member_sessions']) {
    const { n, sum } = await rawRow<{ n: number; sum: string }>(
      testDb.db,
      `select count(*) as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as sum from ${table} t`,
    );
    out[table] = `${n}:${sum}`;
  }
  return out;
}

function cases(): Case[] {
  const list: Case[] = [];
  const hand = { playerA: String(ids.alice), playerB: String(ids.bob), outcome: 'knock', winner: 'a', deadwood: '12' };
  for (const v of BAD_NUMBERS) list.push({ name: `quick hand deadwood ${JSON.stringify(v)}`, method: 'POST', path: '/hands', form: { ...hand, deadwood: v } });
  for (const v of BAD_IDS) list.push({ name: `quick hand playerA ${JSON.stringify(v)}`, method: 'POST', path: '/hands', form: { ...hand, playerA: v } });
  for (const v of ['', 'c', 'A', "a' --", 'ab']) list.push({ name: `quick hand winner ${JSON.stringify(v)}`, method: 'POST', path: '/hands', form: { ...hand, winner: v } });
  for (const v of ['', 'KNOCK', 'gin;', '<i>gin</i>', 'undefined']) list.push({ name: `quick hand outcome ${JSON.stringify(v)}`, method: 'POST', path: '/hands', form: { ...hand, outcome: v } });
  for (const v of ['', 'short', 'x'.repeat(65), 'has spaces in it!!!!']) list.push({ name: `quick hand token ${JSON.stringify(v)}`, method: 'POST', path: '/hands', form: { ...hand, token: v } });

  const gameHand = { outcome: 'knock', winner: 'a', deadwoodA: '5', deadwoodB: '20' };
  for (const v of BAD_NUMBERS.filter((x) => x !== '')) {
    list.push({ name: `game hand deadwoodA ${JSON.stringify(v)}`, method: 'POST', path: `/games/${ids.game}/hands`, form: { ...gameHand, deadwoodA: v } });
  }
  for (const v of BAD_NUMBERS.slice(1, 8)) {
    list.push({ name: `game hand difference ${JSON.stringify(v)}`, method: 'POST', path: `/games/${ids.game}/hands`, form: { outcome: 'gin', winner: 'b', deadwood: v } });
  }
  const rules = { ginBonus: '25', bigGinBonus: '31', undercutBonus: '25', lineBonus: '25', gameBonus: '100', target: '100', knockLimit: '10' };
  for (const field of Object.keys(rules)) {
    for (const v of ['-5', '1.5', '100000', 'ten']) list.push({ name: `rules ${field} ${JSON.stringify(v)}`, method: 'POST', path: `/games/${ids.game}/rules`, form: { ...rules, [field]: v } });
  }
  const start = { playerA: String(ids.alice), playerB: String(ids.bob), firstDealer: 'a', preset: 'pagat' };
  for (const v of BAD_IDS) list.push({ name: `new game playerB ${JSON.stringify(v)}`, method: 'POST', path: '/games', form: { ...start, playerB: v } });
  for (const v of ['', 'c', 'ab']) list.push({ name: `new game firstDealer ${JSON.stringify(v)}`, method: 'POST', path: '/games', form: { ...start, firstDealer: v } });
  for (const v of ['', 'gin', 'PAGAT', '__proto__']) list.push({ name: `new game preset ${JSON.stringify(v)}`, method: 'POST', path: '/games', form: { ...start, preset: v } });

  for (const v of BAD_NAMES) list.push({ name: `add player ${JSON.stringify(v.slice(0, 20))}`, method: 'POST', path: '/players', form: { name: v } });
  for (const v of BAD_NAMES) list.push({ name: `rename player ${JSON.stringify(v.slice(0, 20))}`, method: 'POST', path: `/players/${ids.bob}/rename`, form: { name: v } });

  for (const v of ['abc', '0', '-1', '99999999', '1e2', '%00', "1'--"]) {
    list.push({ name: `GET /games/${v}`, method: 'GET', path: `/games/${v}` });
    list.push({ name: `rename /players/${v}`, method: 'POST', path: `/players/${v}/rename`, form: { name: 'Zed' } });
    list.push({ name: `void /hands/${v}`, method: 'POST', path: `/hands/${v}/void`, form: {} });
  }
  list.push({ name: 'edit a hand of another game', method: 'GET', path: `/games/999999/hands/${ids.gameHand}/edit` });
  list.push({ name: 'edit a malformed hand id', method: 'GET', path: `/games/${ids.game}/hands/x/edit` });
  list.push({ name: 'delete a hand that is not there', method: 'POST', path: `/games/${ids.game}/hands/999999/delete`, form: {} });
  list.push({ name: 'malformed percent-encoding in a path', method: 'GET', path: '/games/%E0%A4%A' });
  for (const m of ['2026-13', '2026-00', '26-11', 'november', "2026-11' OR 1=1"]) list.push({ name: `month ${m}`, method: 'GET', path: `/?month=${encodeURIComponent(m)}` });

  // Transport-level trouble.
  list.push({ name: 'a body over the limit', method: 'POST', path: '/players', raw: { body: `name=${'x'.repeat(20_000)}`, type: 'application/x-www-form-urlencoded' } });
  list.push({ name: 'too many fields', method: 'POST', path: '/players', raw: { body: Array.from({ length: 80 }, (_, i) => `f${i}=1`).join('&'), type: 'application/x-www-form-urlencoded' } });
  list.push({ name: 'JSON instead of a form', method: 'POST', path: '/players', raw: { body: JSON.stringify({ name: 'Zed' }), type: 'application/json' } });
  list.push({ name: 'plain text instead of a form', method: 'POST', path: '/players', raw: { body: 'name=Zed', type: 'text/plain' } });
  list.push({ name: 'XML instead of a form', method: 'POST', path: '/hands', raw: { body: '<hand/>', type: 'application/xml' } });
  list.push({ name: 'invalid UTF-8 in a name', method: 'POST', path: '/players', raw: { body: Buffer.concat([Buffer.from('name=Bo'), Buffer.from([0xff, 0xfe]), Buffer.from('b&')]), type: 'application/x-www-form-urlencoded; charset=utf-8' } });
  list.push({ name: 'invalid UTF-8 in deadwood', method: 'POST', path: '/hands', raw: { body: Buffer.concat([Buffer.from(`playerA=${ids.alice}&playerB=${ids.bob}&outcome=knock&winner=a&deadwood=`), Buffer.from([0xc3, 0x28])]), type: 'application/x-www-form-urlencoded' } });
  list.push({ name: 'an unsupported charset', method: 'POST', path: '/players', raw: { body: 'name=Zed', type: 'application/x-www-form-urlencoded; charset=utf-7' } });

  // Who may write.
  list.push({ name: 'no CSRF token', method: 'POST', path: '/hands', form: hand, noCsrf: true });
  list.push({ name: 'a forged CSRF token', method: 'POST', path: '/hands', form: { ...hand, _csrf: 'forged-token-value' } });
  list.push({ name: 'a CSRF token from another session', method: 'POST', path: '/players', form: { name: 'Zed', _csrf: '__other__' } });
  list.push({ name: 'a tampered session cookie', method: 'POST', path: '/players', form: { name: 'Zed' }, cookie: 'grl.session=eyJtZW1iZXIiOnsicGxheWVySWQiOjF9fQ==; grl.session.sig=forged' });
  list.push({ name: 'a write while signed out: hand', method: 'POST', path: '/hands', form: hand, signedOut: true });
  list.push({ name: 'a write while signed out: player', method: 'POST', path: '/players', form: { name: 'Zed' }, signedOut: true });
  list.push({ name: 'a write while signed out: game hand', method: 'POST', path: `/games/${ids.game}/hands`, form: gameHand, signedOut: true });
  list.push({ name: 'a write while signed out: void', method: 'POST', path: `/hands/${ids.hand}/void`, form: {}, signedOut: true });
  list.push({ name: 'a write while signed out: undo', method: 'POST', path: `/games/${ids.game}/undo`, form: {}, signedOut: true });
  list.push({ name: 'sign in with a wrong passcode', method: 'POST', path: '/sign-in', form: { passcode: "' OR ''='", who: String(ids.alice) }, signedOut: true });
  list.push({ name: 'sign in as nobody', method: 'POST', path: '/sign-in', form: { passcode: TEST_PASSCODE, who: '999999' }, signedOut: true });
  list.push({ name: 'sign in with a malformed who', method: 'POST', path: '/sign-in', form: { passcode: TEST_PASSCODE, who: '<script>' }, signedOut: true });

  // Issue 12: sessions, sign-in steps, uploads.
  list.push({ name: 'a copied cookie of a signed-out session', method: 'POST', path: '/players', form: { name: 'Zed', _csrf: revoked.csrf }, cookie: revoked.cookie });
  list.push({ name: 'a copied cookie of a signed-out session: hand', method: 'POST', path: '/hands', form: { ...hand, _csrf: revoked.csrf }, cookie: revoked.cookie });
  list.push({ name: '"who" without the passcode', method: 'POST', path: '/sign-in', form: { who: String(ids.alice) }, signedOut: true });
  list.push({ name: 'sign out on all phones while signed out', method: 'POST', path: '/sign-out/everywhere', form: {}, signedOut: true });
  list.push({ name: 'an anonymous upload without a token', method: 'POST', path: '/import/hands', raw: multipart({}), signedOut: true });
  list.push({ name: 'an anonymous restore without a token', method: 'POST', path: '/import/backup', raw: multipart({}, '{"format":"gin-rummy-leaderboard"}'), signedOut: true });
  list.push({ name: 'an anonymous upload with a valid token in the URL', method: 'POST', path: '/import/hands', raw: multipart({}), signedOut: true, csrfInUrl: true });
  list.push({ name: 'an anonymous commit with a valid token in the URL', method: 'POST', path: '/import/hands/commit', raw: { type: 'application/x-www-form-urlencoded', body: 'csv=date%2Cplayer_a' }, signedOut: true, csrfInUrl: true });
  list.push({ name: 'a member\'s upload with the token only in the body', method: 'POST', path: '/import/hands', raw: multipart({ _csrf: '__mine__' }) });
  list.push({ name: 'a member\'s upload with a forged token in the URL', method: 'POST', path: '/import/hands?_csrf=forged', raw: multipart({}) });
  list.push({ name: 'a member\'s commit over 2 MB', method: 'POST', path: '/import/hands/commit', raw: { type: 'application/x-www-form-urlencoded', body: `csv=${'x'.repeat(2_200_000)}` }, csrfInUrl: true });
  return list;
}

describe('hostile input', () => {
  let otherCsrf: string;
  const all: Case[] = [];

  beforeAll(async () => {
    testDb = await createTestDb();
    app = createTestApp(testDb.db, { LEAGUE_PASSCODE: TEST_PASSCODE });
    const alice = await makePlayer(testDb.db, 'Alice');
    const bob = await makePlayer(testDb.db, 'Bob');
    const { id: hand } = await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 3 });
    const { id: game } = await gameStart({ db: testDb.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    const { handId: gameHand } = await gameHandRecord({ db: testDb.db, gameId: game, entry: { outcome: 'knock', winner: 'a', difference: 5 }, idempotencyKey: crypto.randomUUID() });
    ids = { alice: alice.id, bob: bob.id, game, gameHand, hand };
    c = client(app);
    csrf = await signIn(c, alice.id);
    const copy = await signInCopy(app, bob.id);
    const page = await request(app).get('/hands/new').set('Cookie', copy).expect(200);
    revoked = { cookie: copy, csrf: hiddenValue(page.text, '_csrf') };
    await request(app).post('/sign-out').set('Cookie', copy).type('form').send({ _csrf: revoked.csrf }).expect(303);
    const other = client(app);
    otherCsrf = (await other.formTokens('/sign-in')).csrf;
    all.push(...cases());
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  it('has at least 100 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(100);
  });

  it('answers every case with a clear 4xx and changes nothing', async () => {
    const failures: string[] = [];
    for (const k of all) {
      const before = await snapshot();
      const agent = k.signedOut ? request.agent(app) : c.agent;
      let token = '';
      let outCsrf = csrf;
      if (k.signedOut) {
        const page = await agent.get('/sign-in');
        outCsrf = hiddenValue(page.text, '_csrf');
        token = hiddenValue(page.text, 'token');
      } else if (k.form && !('token' in k.form)) {
        token = crypto.randomBytes(18).toString('base64url');
      }
      const path = k.csrfInUrl ? `${k.path}${k.path.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(outCsrf)}` : k.path;
      let req = k.method === 'GET' ? agent.get(path) : agent.post(path);
      if (k.cookie) req = request(app).post(path).set('Cookie', k.cookie);
      let res;
      if (k.raw) {
        res = await req.set('Content-Type', k.raw.type).send(typeof k.raw.body === 'string' ? k.raw.body.replace('__mine__', outCsrf) : k.raw.body);
      } else if (k.form) {
        const body: Record<string, string> = { token, ...k.form };
        if (!k.noCsrf && !('_csrf' in k.form)) body._csrf = outCsrf;
        if (body._csrf === '__other__') body._csrf = otherCsrf;
        res = await req.type('form').send(body);
      } else {
        res = await req;
      }
      const after = await snapshot();
      const problems = [];
      if (res.status < 400 || res.status > 499) problems.push(`status ${res.status}`);
      if (!CLEAR.test(res.text)) problems.push('no clear message');
      if (JSON.stringify(before) !== JSON.stringify(after)) problems.push('the database changed');
      if (problems.length) failures.push(`${k.name}: ${problems.join(', ')}`);
    }
    expect(failures).toEqual([]);
    await request(app).get('/healthz').expect(200);
    await request(app).get('/').expect(200);
  }, 120_000);

  it('shows markup and quotes in names escaped, wherever names appear', async () => {
    const name = `"><img src=x onerror=alert(1)>'`;
    const page = await c.formTokens('/players');
    await c.agent.post('/players').type('form').send({ _csrf: page.csrf, token: hiddenValue(page.html, 'token'), name }).expect(303);
    for (const path of ['/players', '/', '/activity', '/sign-in']) {
      const res = await c.agent.get(path).expect(200);
      expect(res.text, path).not.toContain('<img src=x');
      expect(res.text, path).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;');
    }
  });

  it('shows a stranger nothing of a private league, whatever they send', async () => {
    const closed = createTestApp(testDb.db, { LEAGUE_PASSCODE: TEST_PASSCODE, PRIVATE_LEAGUE: 'true' });
    const stranger = client(closed);
    const { csrf: strangerCsrf } = await stranger.formTokens('/sign-in');
    const pages = [
      await stranger.agent.get('/sign-in'),
      await stranger.agent.get('/sign-in?next=/players'),
      await stranger.agent.post('/sign-in').type('form').send({ _csrf: strangerCsrf, passcode: 'guess', who: String(ids.alice) }),
      await stranger.agent.post('/sign-in').type('form').send({ _csrf: strangerCsrf, who: 'new', newName: 'Alice' }),
      await stranger.agent.get(`/players/${ids.alice}`),
      await stranger.agent.get('/export/league.json'),
    ];
    for (const res of pages) {
      expect(res.text).not.toContain('Alice');
      expect(res.text).not.toContain('Bob');
    }
  });

  it('sends plain HTTP only to a host it knows', async () => {
    const prod = createTestApp(testDb.db, { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, LEAGUE_PASSCODE: TEST_PASSCODE, ALLOWED_HOSTS: 'league.example' });
    for (const [host, forwarded] of [['evil.example', ''], ['league.example', 'evil.example'], ['league.example.evil.example', ''], ['LEAGUE.EXAMPLE@evil.example', '']]) {
      let req = request(prod).get('/').set('Host', host!).set('X-Forwarded-Proto', 'http');
      if (forwarded) req = req.set('X-Forwarded-Host', forwarded);
      const res = await req;
      expect(res.status, `${host} ${forwarded}`).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('does not let a made-up X-Forwarded-For escape the sign-in limit', async () => {
    const guesser = client(app);
    const { csrf: guesserCsrf } = await guesser.formTokens('/sign-in');
    const statuses = [];
    for (let i = 0; i < 12; i++) {
      const res = await guesser.agent.post('/sign-in').set('X-Forwarded-For', `198.51.100.${i}`).type('form').send({ _csrf: guesserCsrf, passcode: `guess-${i}`, who: String(ids.alice) });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    expect(statuses.slice(-1)).toEqual([429]);
  });
});
