import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { makePlayer } from '../support/factories.js';
import { CookieClient, spawnServer, type RunningServer } from '../support/server.js';

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) console.warn('\n*** Two-process test SKIPPED: it needs real Postgres (set TEST_DATABASE_URL). ***\n');

describe.runIf(serverUrl)('two web processes against one Postgres', () => {
  let testDb: TestDb;
  let one: RunningServer;
  let two: RunningServer;

  beforeAll(async () => {
    testDb = await createTestDb();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: testDb.url as string,
      DATABASE_SSL: 'false',
      SECRET_KEY: 'shared-secret-of-both-processes-0123456789',
      LEAGUE_PASSCODE: 'two-process-pass',
    };
    [one, two] = await Promise.all([spawnServer(env), spawnServer(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await testDb?.destroy();
  });

  it('shares hands and sessions', async () => {
    const alice = await makePlayer(testDb.db, 'Alice');
    const bob = await makePlayer(testDb.db, 'Bob');
    expect(one.process.pid).not.toBe(two.process.pid);

    // Sign in through the first process...
    const viaOne = new CookieClient(one.url);
    const signInPage = await viaOne.request('GET', '/sign-in');
    const signedIn = await viaOne.request('POST', '/sign-in', {
      _csrf: CookieClient.hidden(signInPage.text, '_csrf'),
      passcode: 'two-process-pass',
      who: String(alice.id),
    });
    expect(signedIn.status).toBe(303);

    // The first keeps its leaderboard (issue 17's page cache)...
    for (let i = 0; i < 2; i++) expect((await new CookieClient(one.url).request('GET', '/')).text).not.toContain('<strong>Alice</strong> +29');

    // ...and the second accepts the session: it serves the form instead of sending to sign in.
    const viaTwo = new CookieClient(two.url);
    viaTwo.copyCookiesFrom(viaOne);
    const form = await viaTwo.request('GET', '/hands/new');
    expect(form.status).toBe(200);
    const saved = await viaTwo.request('POST', '/hands', {
      _csrf: CookieClient.hidden(form.text, '_csrf'),
      token: CookieClient.hidden(form.text, 'token'),
      playerA: String(alice.id),
      playerB: String(bob.id),
      outcome: 'gin',
      winner: 'a',
      deadwood: '4',
    });
    expect(saved.status).toBe(303);

    // A hand recorded through the second shows through the first, once the database's
    // notice of it has reached the first (it drops its kept pages then).
    await expect.poll(async () => (await new CookieClient(one.url).request('GET', '/')).text, { timeout: 5000 }).toMatch(/<strong>Alice<\/strong> \+29/);
    expect(await testDb.db('hands').where({ created_by: alice.id })).toHaveLength(1);
  });
});
