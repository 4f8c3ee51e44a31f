/*
 * Live pages when Postgres goes away and comes back (issue 16): the process's listening
 * connection is cut with the others (the outage test's TCP proxy), a hand is recorded
 * meanwhile by another process, and when the database is back the listener reconnects by
 * itself and the open stream — and the phone showing the scorepad — get the change.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { createApp } from '../../src/app.js';
import { rawRow, type Db } from '../../src/db.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { testConfig } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { proxiedDb, type TcpProxy } from '../support/tcpProxy.js';
import { SseClient } from '../support/sse.js';
import { launchBrowser, listen, releaseBrowser, phonePage, requireBrowserOrSkip, screenshot } from '../support/browser.js';

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) console.warn('\n*** Live outage test SKIPPED: it needs real Postgres (set TEST_DATABASE_URL). ***\n');
const withBrowser = serverUrl ? requireBrowserOrSkip() : false;

describe.runIf(serverUrl)('live pages when Postgres goes away and comes back', () => {
  let testDb: TestDb;
  let proxy: TcpProxy;
  let db: Db;
  let server: Server;
  let base: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    testDb = await createTestDb();
    ({ proxy, db } = await proxiedDb(testDb.url as string));
    ({ server, url: base } = await listen(createApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) })));
    if (withBrowser) browser = await launchBrowser();
  });
  afterAll(async () => {
    await releaseBrowser(browser);
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await db?.destroy();
    await proxy?.cut();
    await testDb?.destroy();
  });

  const listeners = async () =>
    Number(
      (
        await rawRow<{ n: number }>(
          testDb.db,
          "select count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'gin-rummy-leaderboard listener'",
        )
      ).n,
    );
  const version = async () => Number((await testDb.db('league_version').first())!.version);

  it('the stream stays open through the outage, and delivers the change made meanwhile once the database is back', async () => {
    const alice = await makePlayer(testDb.db, 'Alice');
    const bob = await makePlayer(testDb.db, 'Bob');
    // A phone showing the leaderboard, its stream open.
    const phone = browser ? await phonePage(browser) : null;
    if (phone) {
      const opened = phone.page.waitForResponse((r) => r.url().includes('/events'));
      await phone.page.goto(`${base}/`);
      await opened;
    }
    const since = await version();
    const stream = await SseClient.open(`${base}/events?since=${since}`);
    try {
      await stream.until((c) => c.raw.includes(': connected'));
      await expect.poll(listeners, { timeout: 3000 }).toBe(1);

      await proxy.cut();
      await expect.poll(listeners, { timeout: 3000 }).toBe(0);
      // Another process records a hand while this one cannot reach the database.
      await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'b', deadwood: 5 });
      const meanwhile = await version();
      expect(meanwhile).toBeGreaterThan(since);
      await new Promise((r) => setTimeout(r, 1500));
      expect(stream.ended).toBe(false);
      expect(stream.events.filter((e) => e.event === 'change')).toEqual([]);
      expect(await phone?.page.locator('.recent-hands > li').count()).toBe(phone ? 0 : undefined);

      await proxy.restore();
      const restored = Date.now();
      // Backoff: 0.25 s doubling to 5 s, so the listener is back within about 5 s.
      await stream.until((c) => c.events.some((e) => e.event === 'change' && Number(e.id) === meanwhile), 8000, 'the change made during the outage');
      console.log(`live stream: the change made during the outage arrived ${Date.now() - restored} ms after the database came back`);
      expect(await listeners()).toBe(1);
      if (phone) {
        await expect.poll(() => phone.page.locator('.recent-hands > li').count(), { timeout: 3000 }).toBe(1);
        expect(await phone.page.locator('.recent-hands').textContent()).toContain('Bob');
        await screenshot(phone.page, 'live-after-outage');
      }

      // Listening again: the next change arrives within a second.
      const next = Date.now();
      await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 8 });
      const after = await version();
      await stream.until((c) => c.events.some((e) => Number(e.id) === after), 1000, 'a change after the reconnection');
      expect(Date.now() - next).toBeLessThan(1000);
      if (phone) await expect.poll(() => phone.page.locator('.recent-hands > li').count(), { timeout: 1000 }).toBe(2);
      expect(phone?.problems ?? []).toEqual([]);
    } finally {
      stream.close();
      await phone?.page.context().close();
    }
  });
});
