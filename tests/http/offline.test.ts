/*
 * Offline (issue 16), over HTTP: the service worker's script and what it keeps, and the
 * forms whose hands may wait on the phone.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, startGame } from '../support/app.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();

describe('GET /sw.js', () => {
  it('is the service worker, revalidated on every visit, under the same strict CSP', async () => {
    const res = await request(createTestApp(t.db)).get('/sw.js').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.text).toContain("self.addEventListener('fetch'");
  });

  it('precaches the fingerprinted assets, each of which exists, and no page', async () => {
    const app = createTestApp(t.db);
    const res = await request(app).get('/sw.js').expect(200);
    const precache = JSON.parse(/^const PRECACHE = (\[.*\]);$/m.exec(res.text)?.[1] ?? 'null') as string[];
    expect(precache).toEqual(expect.arrayContaining([expect.stringMatching(/^\/static\/app\.[0-9a-f]{10}\.css$/), expect.stringMatching(/^\/static\/js\/offline\.[0-9a-f]{10}\.js$/)]));
    expect(precache.every((url) => /^\/static\/.+\.[0-9a-f]{10}\.(css|js|svg)$/.test(url))).toBe(true);
    for (const url of precache) await request(app).get(url).expect(200);
    // A new build (other fingerprints) is a new script, so phones install it.
    expect(res.text).toMatch(/^const CACHE_VERSION = "[0-9a-f]{10}";$/m);
  });

  it('keeps copies only of the pages needed at the table, and never answers a form or the stream', async () => {
    const res = await request(createTestApp(t.db)).get('/sw.js').expect(200);
    expect(res.text).toContain("if (request.method !== 'GET') return;");
    expect(res.text).toContain('const OFFLINE_PAGES = [/^\\/$/, /^\\/hands\\/new$/, /^\\/games$/, /^\\/games\\/new$/, /^\\/games\\/\\d+$/];');
  });

  it('is reachable in a private league before signing in', async () => {
    await request(createTestApp(t.db, { LEAGUE_PASSCODE: 'secret-pass', PRIVATE_LEAGUE: 'true' })).get('/sw.js').expect(200);
  });
});

describe('pages', () => {
  it('load the offline script everywhere; the record form and the scorepad may keep a hand on the phone', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const gameId = await startGame(c, alice.id, bob.id);
    for (const path of ['/', '/players', '/hands/new', `/games/${gameId}`]) {
      const res = await c.agent.get(path).expect(200);
      expect(res.text, path).toMatch(/<script src="\/static\/js\/offline\.[0-9a-f]{10}\.js" defer><\/script>/);
      expect(res.text, path).toContain('<!--offline-banner-->');
    }
    expect((await c.agent.get('/hands/new')).text).toContain('<form method="post" action="/hands" class="hand-form" data-offline-queue novalidate>');
    expect((await c.agent.get(`/games/${gameId}`)).text).toContain(`<form method="post" action="/games/${gameId}/hands" class="hand-form" data-offline-queue novalidate>`);
  });
});
