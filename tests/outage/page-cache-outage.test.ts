/*
 * The page cache learns that the league changed from the live feed (issue 17). Here the
 * writes come from another connection (as from another process): the app hears of them
 * only through the feed. When its listening connection is cut, it asks the database on
 * every request until the feed is back and has the version again.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Express } from 'express';
import { createApp, leagueVersions, pageCaches } from '../../src/app.js';
import { createDb, rawRow, rawRows, type Db } from '../../src/db.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { testConfig } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { listen } from '../support/browser.js';

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) console.warn('\n*** Page cache outage test SKIPPED: it needs real Postgres (set TEST_DATABASE_URL). ***\n');

describe.runIf(serverUrl)('the page cache when the live feed is cut', () => {
  let testDb: TestDb;
  let db: Db;
  let app: Express;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    testDb = await createTestDb();
    // The app's own handle: writes through testDb.db are another connection's, unseen by it.
    db = createDb({ kind: 'postgres', url: testDb.url as string, ssl: false, poolMax: 2, statementTimeoutMs: 5000 });
    app = createApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) });
    ({ server, url: base } = await listen(app));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    leagueVersions.get(app)?.close();
    await db?.destroy();
    await testDb?.destroy();
  });

  const home = async () => (await fetch(`${base}/`, { headers: { 'accept-encoding': 'br' } })).text();
  const listeners = async () =>
    Number(
      (
        await rawRow<{ n: number }>(
          testDb.db,
          "select count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'gin-rummy-leaderboard listener'",
        )
      ).n,
    );

  it('serves kept pages while the feed listens, and the database\'s when it does not', async () => {
    const alice = await makePlayer(testDb.db, 'Alice');
    const bob = await makePlayer(testDb.db, 'Bob');
    const version = leagueVersions.get(app)!;
    const pages = pageCaches.get(app)!;
    await home();
    await expect.poll(() => version.trusted, { timeout: 5000 }).toBe(true);
    const hits = pages.stats.hits;
    expect(await home()).toContain('Alice');
    expect(pages.stats.hits).toBe(hits + 1);

    // Another connection writes: the notice reaches the app, which drops its pages.
    await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 3 });
    await expect.poll(home, { timeout: 5000 }).toContain('<strong>Alice</strong> +28');

    // The listening connection is cut: until it is back, each request asks the database,
    // so a change made meanwhile shows at once.
    await rawRows(testDb.db, "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'gin-rummy-leaderboard listener'");
    await expect.poll(() => version.trusted, { timeout: 5000 }).toBe(false);
    await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'b', deadwood: 40 });
    if (!version.trusted) expect(await home()).toContain('<strong>Bob</strong> +65');

    // Back: listening again, the version read afresh, pages kept again.
    await expect.poll(listeners, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await home(), version.trusted), { timeout: 10_000 }).toBe(true);
    await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 10 });
    await expect.poll(home, { timeout: 5000 }).toContain("<strong>Bob</strong> +10 <span class=\"tag\">knock");
  });
});
