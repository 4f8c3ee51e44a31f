/*
 * Live pages (issue 16), over HTTP: the event stream's headers, its first event, its
 * heartbeat, Last-Event-ID, a write heard through the database's NOTIFY (PGlite's own, or
 * Postgres' on a connection outside the pool), and what the live pages carry.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { rawRow } from '../../src/db.js';
import { client, createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { SseClient } from '../support/sse.js';

const t = useTestDb();

let servers: Server[] = [];
let streams: SseClient[] = [];
afterEach(async () => {
  for (const s of streams) s.close();
  streams = [];
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
});

async function serve(env: Record<string, string> = {}): Promise<string> {
  const app = createTestApp(t.db, env);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stream(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const s = await SseClient.open(url, headers);
  streams.push(s);
  return s;
}

const version = async () => Number((await t.db('league_version').first())!.version);

describe('GET /events', () => {
  it('is an uncompressed, uncached event stream that says how soon to reconnect', async () => {
    const base = await serve();
    const s = await stream(`${base}/events`, { 'accept-encoding': 'br, gzip' });
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.headers['cache-control']).toBe('no-cache, no-transform');
    expect(s.headers['content-encoding']).toBeUndefined();
    expect(s.headers['x-accel-buffering']).toBe('no');
    await s.until((c) => c.raw.startsWith('retry: 2000\n'));
    // The CSP and other security headers are there too.
    expect(s.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('without a version, says the current one (its id) and nothing else', async () => {
    const base = await serve();
    const s = await stream(`${base}/events`);
    await s.until((c) => c.events.length > 0);
    expect(s.events).toEqual([{ id: String(await version()), event: 'hello', data: String(await version()) }]);
  });

  it('tells a page at the current version only its id (hello), then a change within a second of the commit', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const base = await serve();
    const since = await version();
    const s = await stream(`${base}/events?since=${since}`);
    await s.until((c) => c.events.length > 0);
    await new Promise((r) => setTimeout(r, 150));
    expect(s.events).toEqual([{ id: String(since), event: 'hello', data: String(since) }]);
    const committed = Date.now();
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 5 });
    await s.until((c) => c.events.some((e) => e.event === 'change' && Number(e.id) >= since + 1), 1000, 'the change');
    const latency = Date.now() - committed;
    expect(latency).toBeLessThan(1000);
    const last = s.events.at(-1);
    expect(Number(last?.id)).toBe(await version());
    expect(last?.data).toBe(last?.id);
  });

  it('answers a reconnection with an older Last-Event-ID at once with the current version', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const base = await serve();
    const before = await version();
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'b', deadwood: 3 });
    const now = await version();
    expect(now).toBeGreaterThan(before);
    // Last-Event-ID wins over ?since= (the page's version, which the URL keeps).
    const s = await stream(`${base}/events?since=${now}`, { 'last-event-id': String(before) });
    await s.until((c) => c.events.length > 0);
    expect(s.events).toEqual([{ id: String(now), event: 'change', data: String(now) }]);

    // With the current id, no change: only the id again.
    const quiet = await stream(`${base}/events`, { 'last-event-id': String(now) });
    await quiet.until((c) => c.events.length > 0);
    await new Promise((r) => setTimeout(r, 150));
    expect(quiet.events).toEqual([{ id: String(now), event: 'hello', data: String(now) }]);
  });

  it('ignores a Last-Event-ID that is not a version, and says the current one', async () => {
    const base = await serve();
    const s = await stream(`${base}/events`, { 'last-event-id': 'x; drop table hands' });
    await s.until((c) => c.events.length > 0);
    expect(s.events[0]).toMatchObject({ event: 'hello', id: String(await version()) });
  });

  it('sends a heartbeat comment every LIVE_HEARTBEAT_SECONDS (25 by default: under Heroku\'s 55 s)', async () => {
    const base = await serve({ LIVE_HEARTBEAT_SECONDS: '1' });
    const s = await stream(`${base}/events`);
    const waited = await s.until((c) => (c.raw.match(/^: heartbeat$/gm) ?? []).length >= 2, 3000, 'two heartbeats');
    expect(waited).toBeGreaterThan(900);
    expect(createTestApp(t.db)).toBeDefined();
    const { testConfig } = await import('../support/app.js');
    expect(testConfig().liveHeartbeatSeconds).toBe(25);
    expect(() => testConfig({ LIVE_HEARTBEAT_SECONDS: '55' })).toThrow(/LIVE_HEARTBEAT_SECONDS: expected at most 54/);
  });

  it('tells every open stream, and many writes in one transaction as one version at least', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const base = await serve();
    const since = await version();
    const a = await stream(`${base}/events?since=${since}`);
    const b = await stream(`${base}/events?since=${since}`);
    await Promise.all([a, b].map((s) => s.until((c) => c.events.length > 0)));
    await t.db.transaction(async (trx) => {
      await trx('players').insert({ name: 'Carol', name_key: 'carol' });
      await makeHand(trx, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 2 });
    });
    const now = await version();
    for (const s of [a, b]) await s.until((c) => c.events.some((e) => e.event === 'change' && Number(e.id) === now), 1000, 'the last version');
    if (t.testDb.kind === 'postgres') {
      // One listening connection for the process, whatever the number of streams, outside Knex's pool.
      const row = await rawRow<{ n: number }>(
        t.db,
        "select count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'gin-rummy-leaderboard listener'",
      );
      expect(row.n).toBe(1);
    }
    // Ids only go up.
    const ids = a.events.map((e) => Number(e.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
  });

  it('answers hostile versions (query and Last-Event-ID) with the current one, never a 5xx', async () => {
    const base = await serve();
    const now = String(await version());
    const hostile = ['', '-1', '1e3', '0x10', '99999999999999999999', 'NaN', '%00', '1; drop table hands', '\u202E', '🂡', '1'.repeat(300)];
    for (const value of hostile) {
      for (const headers of [{}, { 'last-event-id': value.replace(/[^\x20-\x7e]/g, '?') }] as Record<string, string>[]) {
        const s = await stream(`${base}/events?since=${encodeURIComponent(value)}`, headers);
        expect(s.status).toBe(200);
        await s.until((c) => c.events.length > 0);
        expect(s.events[0]?.id).toBe(now);
        s.close();
      }
    }
  });

  it('is closed to strangers in a private league', async () => {
    const res = await request(createTestApp(t.db, { LEAGUE_PASSCODE: 'secret-pass', PRIVATE_LEAGUE: 'true' })).get('/events');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2Fevents');
  });
});

describe('live pages', () => {
  it('carry the version they were rendered at and the live script; other pages do not', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const app = createTestApp(t.db);
    const c = client(app);
    const { startGame } = await import('../support/app.js');
    const gameId = await startGame(c, alice.id, bob.id);
    const now = await version();
    for (const path of ['/', '/?month=2026-11', `/games/${gameId}`]) {
      const res = await c.agent.get(path).expect(200);
      expect(res.text, path).toContain(`<meta name="live-version" content="${now}">`);
      expect(res.text, path).toMatch(/<script src="\/static\/js\/live\.[0-9a-f]{10}\.js" defer><\/script>/);
      expect(res.text, path).toMatch(/data-live="/);
    }
    for (const path of ['/hands/new', '/players', '/records']) {
      const res = await c.agent.get(path).expect(200);
      expect(res.text, path).not.toContain('live-version');
      expect(res.text, path).not.toMatch(/js\/live\./);
    }
  });

  it('a refresh fetched by the live script leaves the flash message for the next page', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const app = createTestApp(t.db);
    const c = client(app);
    const { csrf, html } = await c.formTokens('/hands/new');
    const { hiddenValue } = await import('../support/app.js');
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '7' })
      .expect(303);
    const live = await c.agent.get('/').set('X-Live-Refresh', '1').expect(200);
    expect(live.text).not.toContain('Saved: Alice +7');
    const next = await c.agent.get('/').expect(200);
    expect(next.text).toContain('Saved: Alice +7 (knock)');
  });
});
