/*
 * The findings of the adversarial run (issue 12), one block each, on both engines.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import type { Express } from 'express';
import { createPgliteFromTemplate, useTestDb } from '../support/db.js';
import { client, cookieOf, createTestApp, hiddenValue, signIn, signInCopy, TEST_PASSCODE, TEST_SECRET_KEY, testConfig } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { migrateLatest, pgliteOf, rawRow } from '../../src/db.js';
import { gameStart } from '../../src/games/services.js';
import { SIGN_IN_ATTEMPTS, SIGN_IN_LEAGUE_ATTEMPTS } from '../../src/auth/routes.js';

const t = useTestDb();
const members = { LEAGUE_PASSCODE: TEST_PASSCODE };
const production = { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, LEAGUE_PASSCODE: TEST_PASSCODE };
const count = async (table: string) => Number((await t.db(table).count({ n: '*' }))[0]?.n);

/** Records a quick hand with a cookie; returns the status. */
async function recordWith(app: Express, cookie: string, a: number, b: number): Promise<number> {
  const form = await request(app).get('/hands/new').set('Cookie', cookie);
  if (form.status !== 200) return form.status;
  const res = await request(app)
    .post('/hands')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: hiddenValue(form.text, '_csrf'), token: hiddenValue(form.text, 'token'), playerA: String(a), playerB: String(b), outcome: 'knock', winner: 'a', deadwood: '5' });
  return res.status;
}

describe('1. secrets: production refuses weak ones', () => {
  const refused = (env: Record<string, string>) => () => createTestApp(t.db, { ...production, ...env });

  it('refuses the development secret, whitespace, short and low-variety keys, saying how to make one', () => {
    for (const secret of ['development-only-secret-do-not-use-in-production', ' '.repeat(32), 'x'.repeat(64), 'abcabcabcabcabcabcabcabcabcabcabcabc', 'short-but-varied-1234', `${TEST_SECRET_KEY} with spaces`]) {
      expect(refused({ SECRET_KEY: secret }), secret).toThrow(/SECRET_KEY: .*openssl rand -hex 32/);
    }
    expect(refused({ SECRET_KEY: '' })).toThrow(/SECRET_KEY: required in production/);
  });

  it('refuses a passcode that is blank or short once spaces are left out', () => {
    for (const passcode of ['      ', '\t\t\t\t\t\t\t', '  abc   ']) {
      expect(refused({ LEAGUE_PASSCODE: passcode }), JSON.stringify(passcode)).toThrow(/LEAGUE_PASSCODE: at least 6 characters besides spaces/);
    }
  });

  it('accepts what the deploy docs and app.json generate', () => {
    expect(() => refused({ SECRET_KEY: crypto.randomBytes(32).toString('hex') })()).not.toThrow();
    expect(() => refused({ SECRET_KEY: crypto.randomBytes(32).toString('base64') })()).not.toThrow();
  });

  it('does not accept a member cookie forged with the development secret', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const app = createTestApp(t.db, production);
    const value = Buffer.from(JSON.stringify({ member: { playerId: alice.id, name: 'Alice' }, sid: 'made-up', csrfToken: 'forged-token' })).toString('base64');
    const sig = crypto.createHmac('sha1', 'development-only-secret-do-not-use-in-production').update(`grl.session=${value}`).digest('base64url');
    const forged = `grl.session=${value}; grl.session.sig=${sig}`;
    const page = await request(app).get('/hands/new').set('X-Forwarded-Proto', 'https').set('Cookie', forged);
    expect(page.status).toBe(303);
    const write = await request(app)
      .post('/hands')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', forged)
      .type('form')
      .send({ _csrf: 'forged-token', token: 'abcdefghijklmnopqrst', playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '5' });
    expect([401, 403]).toContain(write.status);
    expect(await count('hands')).toBe(0);
  });
});

describe('2. sessions end on the server', () => {
  it('signing out ends the session for every copy of its cookie', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const app = createTestApp(t.db, members);
    const cookie = await signInCopy(app, alice.id);
    const copy = cookie; // e.g. taken from the phone before it signed out
    expect(await recordWith(app, copy, alice.id, bob.id)).toBe(303);
    expect(await count('hands')).toBe(1);

    const page = await request(app).get('/').set('Cookie', cookie).expect(200);
    await request(app).post('/sign-out').set('Cookie', cookie).type('form').send({ _csrf: hiddenValue(page.text, '_csrf') }).expect(303);

    expect((await request(app).get('/hands/new').set('Cookie', copy)).headers.location).toMatch(/^\/sign-in/);
    const form = await request(app).get('/sign-in').set('Cookie', copy).expect(200);
    const write = await request(app)
      .post('/hands')
      .set('Cookie', copy)
      .type('form')
      .send({ _csrf: hiddenValue(form.text, '_csrf'), token: hiddenValue(form.text, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'a', deadwood: '5' });
    expect(write.status).toBe(401);
    expect(await count('hands')).toBe(1);
    expect(await t.db('member_sessions').whereNotNull('ended_at').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('a new LEAGUE_PASSCODE signs everyone out, even after a restart with the same SECRET_KEY', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const before = createTestApp(t.db, members);
    const cookie = await signInCopy(before, alice.id);
    expect(await recordWith(before, cookie, alice.id, bob.id)).toBe(303);
    const restarted = createTestApp(t.db, { LEAGUE_PASSCODE: 'a-brand-new-passcode' });
    expect((await request(restarted).get('/hands/new').set('Cookie', cookie)).headers.location).toMatch(/^\/sign-in/);
    expect(await count('hands')).toBe(1);
    // The same passcode again: still signed in (a restart alone signs nobody out).
    const again = createTestApp(t.db, members);
    await request(again).get('/hands/new').set('Cookie', cookie).expect(200);
  });

  it('"sign out on all phones" ends every session of that member, and only theirs', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const app = createTestApp(t.db, members);
    const phone1 = await signInCopy(app, alice.id);
    const phone2 = await signInCopy(app, alice.id);
    const bobs = await signInCopy(app, bob.id);
    const page = await request(app).get('/sign-in').set('Cookie', phone1).expect(200);
    expect(page.text).toContain('Sign out on all my phones');
    const res = await request(app).post('/sign-out/everywhere').set('Cookie', phone1).type('form').send({ _csrf: hiddenValue(page.text, '_csrf') }).expect(303);
    const after = await request(app).get('/').set('Cookie', cookieOf(res)).expect(200);
    expect(after.text).toContain('Signed out on every phone (2 sessions ended)');
    for (const cookie of [phone1, phone2]) expect((await request(app).get('/hands/new').set('Cookie', cookie)).status).toBe(303);
    await request(app).get('/hands/new').set('Cookie', bobs).expect(200);
    expect(await t.db('member_sessions').whereNull('ended_at').select('player_id')).toEqual([{ player_id: bob.id }]);
  });

  it('shows a renamed member by their new name', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = createTestApp(t.db, members);
    const cookie = await signInCopy(app, alice.id);
    await t.db('players').where({ id: alice.id }).update({ name: 'Alicia' });
    expect((await request(app).get('/').set('Cookie', cookie).expect(200)).text).toContain('Alicia</a>');
  });
});

describe('3. sign-in limits', () => {
  const wrongFrom = async (app: Express, alice: number, forwardedFor: string) => {
    const page = await request(app).get('/sign-in').set('X-Forwarded-For', forwardedFor).set('X-Forwarded-Proto', 'https');
    return request(app)
      .post('/sign-in')
      .set('Cookie', cookieOf(page))
      .set('X-Forwarded-For', forwardedFor)
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ _csrf: hiddenValue(page.text, '_csrf'), passcode: 'wrong-guess', who: String(alice) });
  };

  it('ignores X-Forwarded-For when no proxy is configured: changing it does not escape the limit', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = createTestApp(t.db, members);
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) expect((await wrongFrom(app, alice.id, `203.0.113.${i}`)).status).toBe(422);
    const blocked = await wrongFrom(app, alice.id, '198.51.100.7');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many sign-in attempts from here');
  });

  it('with TRUST_PROXY=1 (production default) counts per address, and per league across addresses', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = createTestApp(t.db, production);
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) expect((await wrongFrom(app, alice.id, '203.0.113.1')).status).toBe(422);
    expect((await wrongFrom(app, alice.id, '203.0.113.1')).status).toBe(429);
    // Another address is not blocked by the first one's failures...
    expect((await wrongFrom(app, alice.id, '203.0.113.2')).status).toBe(422);
    // ...but many addresses together reach the league's limit.
    for (let i = SIGN_IN_ATTEMPTS + 1; i < SIGN_IN_LEAGUE_ATTEMPTS; i++) expect((await wrongFrom(app, alice.id, `10.9.${i >> 8}.${i & 255}`)).status).toBe(422);
    const blocked = await wrongFrom(app, alice.id, '198.51.100.99');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many wrong passcodes have been tried in this league');
    expect(await t.db('rate_limits').where({ key: 'sign-in:league' }).first('hits')).toEqual({ hits: SIGN_IN_LEAGUE_ATTEMPTS });
  }, 60_000);

  it('does not count right passcodes, even 20 at once from one address', async () => {
    const players = [];
    for (let i = 0; i < 21; i++) players.push(await makePlayer(t.db, `Player ${i}`));
    const app = createTestApp(t.db, members);
    const pages = await Promise.all(players.map(() => request(app).get('/sign-in')));
    const results = await Promise.all(
      players.slice(0, 20).map((p, i) =>
        request(app)
          .post('/sign-in')
          .set('Cookie', cookieOf(pages[i]!))
          .type('form')
          .send({ _csrf: hiddenValue(pages[i]!.text, '_csrf'), passcode: TEST_PASSCODE, who: String(p.id) }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(303));
    // The next member at the table signs in at once.
    const next = await request(app)
      .post('/sign-in')
      .set('Cookie', cookieOf(pages[20]!))
      .type('form')
      .send({ _csrf: hiddenValue(pages[20]!.text, '_csrf'), passcode: TEST_PASSCODE, who: String(players[20]!.id) });
    expect(next.status).toBe(303);
    expect(await t.db('rate_limits').where('hits', '>', 0).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await count('member_sessions')).toBe(21);
  });
});

describe('4. a private league tells strangers nothing', () => {
  const env = { ...members, PRIVATE_LEAGUE: 'true' };

  it('asks for the passcode first, and "who are you" only after it', async () => {
    await makePlayer(t.db, 'Alice Zzyzx');
    const bob = await makePlayer(t.db, 'Bob Qwerty');
    const c = client(createTestApp(t.db, env));
    const first = await c.formTokens('/sign-in?next=/players');
    for (const secret of ['Alice Zzyzx', 'Bob Qwerty', 'Who are you', 'Someone new']) expect(first.html).not.toContain(secret);
    expect(first.html).toContain('League passcode');

    const wrong = await c.agent.post('/sign-in').type('form').send({ _csrf: first.csrf, passcode: 'wrong-guess', next: '/players' }).expect(422);
    for (const secret of ['Alice Zzyzx', 'Bob Qwerty', 'Who are you']) expect(wrong.text).not.toContain(secret);
    // Guessing a player id with a wrong passcode tells nothing either.
    const guess = await c.agent.post('/sign-in').type('form').send({ _csrf: first.csrf, passcode: 'wrong-guess', who: String(bob.id) }).expect(422);
    expect(guess.text).not.toContain('Bob Qwerty');

    const right = await c.agent.post('/sign-in').type('form').send({ _csrf: first.csrf, passcode: TEST_PASSCODE, next: '/players' }).expect(303);
    expect(right.headers.location).toBe('/sign-in?next=%2Fplayers');
    expect(await count('member_sessions')).toBe(0);
    const second = await c.formTokens('/sign-in?next=/players');
    expect(second.html).toContain('Who are you?');
    expect(second.html).toContain('Bob Qwerty');
    expect(second.html).not.toContain('League passcode');
    const done = await c.agent.post('/sign-in').type('form').send({ _csrf: second.csrf, who: String(bob.id), next: '/players' }).expect(303);
    expect(done.headers.location).toBe('/players');
    await c.agent.get('/players').expect(200);
    expect(await t.db('member_sessions').select('player_id')).toEqual([{ player_id: bob.id }]);
  });

  it('forgets an accepted passcode after 15 minutes without "who are you"', async () => {
    const bob = await makePlayer(t.db, 'Bob Qwerty');
    const c = client(createTestApp(t.db, env));
    const { csrf } = await c.formTokens('/sign-in');
    await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode: TEST_PASSCODE }).expect(303);
    expect((await c.formTokens('/sign-in')).html).toContain('Bob Qwerty');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 16 * 60 * 1000);
      const later = await c.formTokens('/sign-in');
      expect(later.html).not.toContain('Bob Qwerty');
      await c.agent.post('/sign-in').type('form').send({ _csrf: later.csrf, who: String(bob.id) }).expect(422);
    } finally {
      vi.useRealTimers();
    }
    expect(await count('member_sessions')).toBe(0);
  });

  it('does not skip the passcode for a "who" sent alone', async () => {
    const bob = await makePlayer(t.db, 'Bob Qwerty');
    const c = client(createTestApp(t.db, env));
    const { csrf } = await c.formTokens('/sign-in');
    const res = await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, who: String(bob.id) }).expect(422);
    expect(res.text).toContain('That passcode is not right');
    expect(res.text).not.toContain('Bob Qwerty');
    expect(await count('member_sessions')).toBe(0);
  });
});

describe('5. uploads are read only for a member with a valid token', () => {
  /** Starts a multipart upload of `total` bytes, sends only the first KB, and waits for an answer. */
  async function partialUpload(app: Express, path: string, cookie = ''): Promise<{ status: number; ms: number }> {
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const boundary = 'x-boundary-1234';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`);
    const total = 900 * 1024;
    const started = Date.now();
    try {
      return await new Promise((resolve, reject) => {
        const req = http.request({
          port,
          host: '127.0.0.1',
          method: 'POST',
          path,
          headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(total), ...(cookie ? { Cookie: cookie } : {}) },
        });
        req.on('response', (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
          req.destroy();
        });
        req.on('error', (err) => reject(err));
        req.write(Buffer.concat([head, Buffer.alloc(1024, 'a')]));
        // The rest of the body never comes: only an answer given before reading it arrives.
        setTimeout(() => reject(new Error('no answer within 3 s: the body was being waited for')), 3000).unref();
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('refuses a stranger\'s upload before reading its body', async () => {
    const app = createTestApp(t.db, members);
    for (const path of ['/import/hands', '/import/backup', '/import/hands/commit']) {
      const res = await partialUpload(app, path);
      expect(res.status, path).toBe(403);
      expect(res.ms, path).toBeLessThan(2000);
    }
  });

  it('refuses a signed-out visitor with a valid token, before reading the body', async () => {
    const app = createTestApp(t.db, members);
    const page = await request(app).get('/sign-in').expect(200);
    const token = encodeURIComponent(hiddenValue(page.text, '_csrf'));
    const res = await partialUpload(app, `/import/backup?_csrf=${token}`, cookieOf(page));
    expect(res.status).toBe(401);
  });

  it('refuses a member\'s upload without the token in the URL or a header, before reading the body', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = createTestApp(t.db, members);
    const cookie = await signInCopy(app, alice.id);
    expect((await partialUpload(app, '/import/hands', cookie)).status).toBe(403);
    expect((await partialUpload(app, '/import/hands?_csrf=forged', cookie)).status).toBe(403);
  });

  it('takes a member\'s upload with the token in a header', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const c = client(createTestApp(t.db, members));
    await signIn(c, alice.id);
    const { csrf } = await c.formTokens('/export');
    const res = await c.agent
      .post('/import/hands')
      .set('X-CSRF-Token', csrf)
      .attach('file', Buffer.from('date,player_a,player_b,outcome,winner,deadwood\n2026-09-01,Alice,Bob,gin,Alice,5\n'), 'hands.csv')
      .expect(200);
    expect(res.text).toContain('1 hands in the file');
  });
});

describe('6. the HTTPS redirect goes only to a known host', () => {
  const plainHttp = (app: Express, host: string, forwardedHost?: string) => {
    const req = request(app).get('/players?x=1').set('Host', host).set('X-Forwarded-Proto', 'http');
    return forwardedHost ? req.set('X-Forwarded-Host', forwardedHost) : req;
  };

  it('answers 400 for a host it does not know, from Host or X-Forwarded-Host', async () => {
    const app = createTestApp(t.db, { ...production, ALLOWED_HOSTS: 'league.example' });
    const res = await plainHttp(app, 'evil.example').expect(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('only over HTTPS');
    await plainHttp(app, 'league.example', 'evil.example').expect(400);
    await plainHttp(createTestApp(t.db, production), 'league.example').expect(400);
  });

  it('redirects to the request\'s host when it is allowed, and to CANONICAL_HOST always', async () => {
    const allowed = await plainHttp(createTestApp(t.db, { ...production, ALLOWED_HOSTS: 'other.example, League.Example' }), 'league.example').expect(301);
    expect(allowed.headers.location).toBe('https://league.example/players?x=1');
    const canonical = createTestApp(t.db, { ...production, CANONICAL_HOST: 'scores.example.org' });
    for (const host of ['evil.example', 'scores.example.org']) {
      expect((await plainHttp(canonical, host, 'evil.example').expect(301)).headers.location).toBe('https://scores.example.org/players?x=1');
    }
  });

  it('refuses a malformed CANONICAL_HOST or ALLOWED_HOSTS at start', () => {
    expect(() => loadConfig({ ...production, CANONICAL_HOST: 'https://x.example/' })).toThrow(/CANONICAL_HOST/);
    expect(() => loadConfig({ ...production, ALLOWED_HOSTS: 'a.example, evil.example/path' })).toThrow(/ALLOWED_HOSTS/);
  });
});

describe('7. a lost database is a 503, never a 500', () => {
  it('answers 503 when the embedded database has gone away, saying a write was not saved', async () => {
    // PGlite's equivalent of a lost connection: the instance is closed under the app.
    const db = await createPgliteFromTemplate();
    const pglite = pgliteOf(db);
    try {
      await migrateLatest(db);
      const alice = await makePlayer(db, 'Alice');
      const bob = await makePlayer(db, 'Bob');
      const app = createApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) });
      const c = client(app);
      const form = await c.formTokens('/hands/new');
      await pglite.close();
      const page = await request(app).get('/');
      expect(page.status).toBe(503);
      expect(page.text).toContain('The scores are unavailable for a moment');
      expect(page.text).not.toContain('saved');
      const write = await c.agent
        .post('/hands')
        .type('form')
        .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'a', deadwood: '4' });
      expect(write.status).toBe(503);
      expect(write.text).toContain('nothing was saved');
    } finally {
      await db.destroy().catch(() => {});
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL)('answers 503 when Postgres ends the connection inside a transaction', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const app = createTestApp(t.db);
    const c = client(app);
    const game = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    const form = await c.formTokens(`/games/${game.id}`);
    const { name: database } = await rawRow<{ name: string }>(t.db, 'select current_database() as name');
    // Hold the game's row so that the app's transaction waits inside, then end its connection.
    await t.db.transaction(async (trx) => {
      await trx('games').where({ id: game.id }).forUpdate().first();
      const pending = c.agent
        .post(`/games/${game.id}/hands`)
        .type('form')
        .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), outcome: 'gin', winner: 'a', deadwoodB: '10' })
        .then((r) => r);
      await expect
        .poll(async () => Number((await rawRow<{ n: number }>(t.db, `select count(*) as n from pg_stat_activity where datname = ? and wait_event_type = 'Lock'`, [database])).n), { timeout: 5000 })
        .toBe(1);
      await t.db.raw(`select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and wait_event_type = 'Lock'`, [database]);
      const res = await pending;
      expect(res.status).toBe(503);
      expect(res.text).toContain('The scores are unavailable for a moment');
    });
    expect(await count('hands')).toBe(0);
  });
});
