import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import type { Db } from '../../src/db.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, hiddenValue, testConfig } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { proxiedDb, type TcpProxy } from '../support/tcpProxy.js';
import express from 'express';
import { databaseOutage, errorHandler } from '../../src/http/errors.js';
import { setUpViews } from '../../src/http/views.js';
import { loadManifest } from '../../src/http/assets.js';

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) console.warn('\n*** Outage test SKIPPED: it needs real Postgres (set TEST_DATABASE_URL). ***\n');

describe.runIf(serverUrl)('when Postgres goes away and comes back', () => {
  let testDb: TestDb;
  let proxy: TcpProxy;
  let db: Db;
  let app: Express;

  beforeAll(async () => {
    testDb = await createTestDb();
    // The app reaches the test database only through the proxy.
    ({ proxy, db } = await proxiedDb(testDb.url as string));
    app = createApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) });
  });
  beforeEach(async () => {
    await testDb.reset();
  });
  afterAll(async () => {
    await db?.destroy();
    await proxy?.cut();
    await testDb?.destroy();
  });

  it('answers 503 quickly, never claims a save, and recovers without a restart', async () => {
    await makePlayer(testDb.db, 'Alice');
    await makePlayer(testDb.db, 'Bob');
    const [alice, bob] = await testDb.db('players').orderBy('id');
    const c = client(app);
    const form = await c.formTokens('/hands/new');
    await request(app).get('/healthz').expect(200);

    await proxy.cut();

    let started = Date.now();
    const page = await request(app).get('/');
    expect(page.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(page.text).toContain('The scores are unavailable for a moment');

    started = Date.now();
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);

    const write = await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice!.id), playerB: String(bob!.id), outcome: 'gin', winner: 'a', deadwood: '4' });
    expect(write.status).toBe(503);
    expect(write.text).toContain('nothing was saved');
    expect(write.text).toContain('Send it again');
    expect(write.text).not.toMatch(/\+29 \(gin\)/);

    await proxy.restore();

    await expect.poll(async () => (await request(app).get('/healthz')).status, { timeout: 5000 }).toBe(200);
    await request(app).get('/').expect(200);
    expect(await testDb.db('hands')).toHaveLength(0);
    // The same form, sent again now, is saved once.
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice!.id), playerB: String(bob!.id), outcome: 'gin', winner: 'a', deadwood: '4' })
      .expect(303);
    expect(await testDb.db('hands')).toHaveLength(1);
  });

  /** A fresh hand form for the client, and a way to post it. */
  async function handForm(c: ReturnType<typeof client>) {
    const form = await c.formTokens('/hands/new');
    const [alice, bob] = await testDb.db('players').orderBy('id');
    const body = { _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice!.id), playerB: String(bob!.id), outcome: 'knock', winner: 'b', deadwood: '9' };
    return { body, post: () => c.agent.post('/hands').type('form').send(body) };
  }

  const handsStored = async () => (await testDb.db('hands')).length;

  it('a hand whose commit went through is reported saved, though the database vanishes right after', async () => {
    await makePlayer(testDb.db, 'Alice');
    await makePlayer(testDb.db, 'Bob');
    const c = client(app);
    const { post } = await handForm(c);
    const cut = proxy.cutAtNextCommit('after-commit-answered');
    const res = await post();
    await cut;
    expect(res.status).toBe(303);
    expect(await handsStored()).toBe(1);
    // The next page cannot be shown, but it carries the message, and the message is true.
    const next = await c.agent.get('/');
    expect(next.status).toBe(503);
    expect(next.text).toContain('Saved: Bob +9 (knock)');
    await proxy.restore();
  });

  it.each([
    ['before the commit reached the database', 'before-commit', 0],
    ['after the commit reached the database, before its answer', 'after-commit-sent', 1],
  ] as const)('a connection lost at the commit (%s) is reported as unknown, and sending it again stores it exactly once', async (_name, when, storedByTheCut) => {
    await makePlayer(testDb.db, 'Alice');
    await makePlayer(testDb.db, 'Bob');
    const c = client(app);
    const { body } = await handForm(c);
    const cut = proxy.cutAtNextCommit(when);
    const res = await c.agent.post('/hands').type('form').send(body);
    await cut;
    expect(res.status).toBe(503);
    expect(res.text).toContain('We cannot tell whether that was saved');
    expect(res.text).not.toContain('nothing was saved');
    // (A COMMIT that reached the server is carried out even though its client is gone; the
    // server may take a moment longer than the cut: since issue 16 it also NOTIFYs.)
    await expect.poll(handsStored, { timeout: 2000 }).toBe(storedByTheCut);
    expect(await handsStored()).toBe(storedByTheCut);
    // The page's "Send it again" form carries the same fields, token included.
    const resend = Object.fromEntries([...res.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [String(m[1]), m[2]] as const));
    expect(resend).toMatchObject({ token: body.token, deadwood: '9', winner: 'b' });
    await proxy.restore();
    await expect.poll(async () => (await request(app).get('/healthz')).status, { timeout: 5000 }).toBe(200);
    await c.agent.post('/hands').type('form').send(resend).expect(303);
    expect(await handsStored()).toBe(1);
    expect((await c.agent.get('/').expect(200)).text).toContain(storedByTheCut ? 'Already saved: Bob +9 (knock)' : 'Saved: Bob +9 (knock)');
  });

  it('a connection cut inside a transaction is a 503 that says nothing was saved, not a 500', async () => {
    await request(app).get('/healthz').expect(200);
    // A transaction whose connection breaks between two statements: the next statement,
    // and knex's ROLLBACK, meet a client that "has encountered a connection error".
    let caught: unknown;
    await db
      .transaction(async (trx) => {
        await trx('players').insert({ name: 'Written inside' });
        await proxy.cut();
        await new Promise((r) => setTimeout(r, 300));
        await trx('players').insert({ name: 'Never sent' });
      })
      .catch((err: unknown) => {
        caught = err;
      });
    await proxy.restore();
    expect(String((caught as Error)?.message)).toMatch(/^ROLLBACK - Client has encountered a connection error/);
    expect(databaseOutage(caught)).toEqual({ saved: 'no' });
    expect(await testDb.db('players').where({ name: 'Written inside' })).toHaveLength(0);

    // The same error, met by a route, through the app's error handler.
    const page = express();
    setUpViews(page, { assets: loadManifest(), leagueName: 'League', timeZone: 'UTC', watch: false, showOpenBanner: false });
    page.post('/hands', () => {
      throw caught;
    });
    page.get('/', () => {
      throw caught;
    });
    page.use(errorHandler);
    const write = await request(page).post('/hands').expect(503);
    expect(write.text).toContain('nothing was saved');
    expect(write.headers['retry-after']).toBe('5');
    const read = await request(page).get('/').expect(503);
    expect(read.text).not.toContain('saved');
    await expect.poll(async () => (await request(app).get('/healthz')).status, { timeout: 5000 }).toBe(200);
  });
});
