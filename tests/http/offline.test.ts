/*
 * Offline (issue 16), over HTTP: the service worker's script and what it keeps, and the
 * forms whose hands may wait on the phone.
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue, startGame } from '../support/app.js';
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
    expect(precache).toEqual(expect.arrayContaining([expect.stringMatching(/^\/static\/app\.[0-9a-f]{10}\.css$/), expect.stringMatching(/^\/static\/js\/offline\.[0-9a-f]{10}\.js$/), expect.stringMatching(/^\/static\/js\/hand-send\.[0-9a-f]{10}\.js$/)]));
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
    // The script that sends those forms (and keeps a hand with no answer) comes with them only.
    const sender = /<script src="\/static\/js\/hand-send\.[0-9a-f]{10}\.js" defer><\/script>/;
    for (const path of ['/hands/new', `/games/${gameId}`]) expect((await c.agent.get(path)).text, path).toMatch(sender);
    for (const path of ['/', '/players']) expect((await c.agent.get(path)).text, path).not.toMatch(sender);
  });
});

/*
 * What static/js/offline.js relies on when it sends a hand itself: a save whose answer was
 * lost (a time-out, lie-fi) is sent again with the same token and fields, and must be told
 * the truth; the page it then loads must still say "Saved".
 */
describe('a hand sent again after no answer came', () => {
  const flashOn = async (c: ReturnType<typeof client>, path: string) =>
    [...(await c.agent.get(path).expect(200)).text.matchAll(/class="notification is-(?:success|info|danger) is-light" role="status">([^<]*)/g)].map((m) => m[1]?.trim());

  it('the hand that won the game, sent again, is "Already saved" (one row), not refused as a game over', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const gameId = await startGame(c, alice.id, bob.id);
    const { csrf, html } = await c.formTokens(`/games/${gameId}`);
    const winning = { _csrf: csrf, token: hiddenValue(html, 'token'), outcome: 'gin', winner: 'a', deadwood: '80' };
    await c.agent.post(`/games/${gameId}/hands`).type('form').send(winning).expect(303);
    // The answer was lost; the phone sends it again (its script marks a replay).
    const again = await c.agent.post(`/games/${gameId}/hands`).type('form').set('X-Offline-Replay', '1').send(winning).expect(303);
    expect(again.headers.location).toBe(`/games/${gameId}`);
    expect(await flashOn(c, `/games/${gameId}`)).toEqual(['Already saved: Alice +105 (gin). It was sent twice and counts once.']);
    expect((await t.db('hands').whereNull('voided_at')).map((h) => [h.game_id, h.outcome, h.points])).toEqual([[gameId, 'gin', 105]]);
    expect(await t.db('games').where({ id: gameId }).first('status')).toEqual({ status: 'finished' });
    // A different hand to the finished game is refused, as before.
    await c.agent.post(`/games/${gameId}/hands`).type('form').send({ ...winning, token: 'another-token-0123456789', deadwood: '3' }).expect(409);
  });

  it('a save sent by the script (X-Live-Refresh, redirect followed) leaves its message for the page loaded next', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/hands/new');
    const body = { _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '11' };
    const res = await c.agent.post('/hands').type('form').set('X-Live-Refresh', '1').send(body).expect(303);
    // fetch follows the redirect with the same header: that page does not use up the message...
    const followed = await c.agent.get(res.headers.location as string).set('X-Live-Refresh', '1').expect(200);
    expect(followed.text).not.toContain('Saved: Alice +11 (knock)');
    // ...which the navigation to it then shows, once.
    expect(await flashOn(c, '/')).toEqual(['Saved: Alice +11 (knock)']);
    expect(await flashOn(c, '/')).toEqual([]);
    expect(await t.db('hands')).toHaveLength(1);
  });

  it('the scorepad names the next hand and its dealer for the script, which counts the hands waiting on the phone', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const gameId = await startGame(c, alice.id, bob.id);
    const page = await c.agent.get(`/games/${gameId}`).expect(200);
    expect(page.text).toContain('<h2 class="title is-5" id="next-hand-heading" data-hand-number="1" data-dealer="a">Hand 1 · Alice deals</h2>');
  });
});
