import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { pino } from 'pino';
import { useTestDb } from '../support/db.js';
import { client, hiddenValue, signIn, startGame, testConfig, TEST_PASSCODE } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { createApp, pageCaches } from '../../src/app.js';
import { splicedGzip, tokenCopyBlock, TOKEN_LENGTH } from '../../src/http/pageCache.js';

/*
 * Issue 17: pages kept per league version and variant must be, byte for byte once the
 * CSRF tokens are taken out, what rendering from the database gives — after every kind
 * of write — in every encoding, for a signed-out visitor and a member.
 */
const t = useTestDb();

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A GET over real HTTP, the body decoded by hand (so the test sees which encoding came). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    http
      .get(base + path, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const enc = res.headers['content-encoding'];
          const body = enc === 'br' ? zlib.brotliDecompressSync(raw) : enc === 'gzip' ? zlib.gunzipSync(raw) : enc === 'deflate' ? zlib.inflateSync(raw) : raw;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body.toString('utf8') });
        });
      })
      .on('error', reject);
  });
}

/** Without what differs from one render to the next anyway: the CSRF token, and the charts' ids (a counter of the process, src/charts/svg.ts). */
const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="TOKEN"');

async function listen(app: Express): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((r) => server.close(() => r())) };
}

const ENCODINGS = ['gzip, deflate, br', 'gzip', ''];

describe('the page cache', () => {
  let cached: Express;
  let reference: Express;
  let servers: Awaited<ReturnType<typeof listen>>[] = [];

  const setUp = (env: Record<string, string>) => {
    const config = testConfig(env);
    const logger = pino({ level: 'silent' });
    cached = createApp({ config, db: t.db, logger });
    reference = createApp({ config, db: t.db, logger, cachePages: false });
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** Every page that is kept, as each client sees it from both apps, in each encoding: equal. */
  async function expectSamePages(pages: string[], cookies: string[]) {
    const [one, two] = await Promise.all([listen(cached), listen(reference)]);
    servers.push(one, two);
    const hits = pageCaches.get(cached)?.stats.hits ?? 0;
    for (const path of pages) {
      for (const cookie of cookies) {
        const headers: Record<string, string> = cookie ? { cookie } : {};
        const want = await get(two.base, path, { ...headers, 'accept-encoding': 'identity' });
        expect(want.status, path).toBe(200);
        // Twice: the first may render, the second comes from the cache.
        for (const encoding of [...ENCODINGS, ...ENCODINGS]) {
          const got = await get(one.base, path, { ...headers, 'accept-encoding': encoding });
          expect(got.status, `${path} ${encoding}`).toBe(200);
          expect(withoutTokens(got.text), `${path} (${cookie ? 'member' : 'visitor'}, "${encoding}")`).toBe(withoutTokens(want.text));
          if (encoding.includes('gzip')) expect(got.headers['content-encoding'], path).toMatch(/^(br|gzip)$/);
          // A member's page carries their session's own token, the one that posts.
          if (cookie && got.text.includes('name="_csrf"')) expect(hiddenValue(got.text, '_csrf')).toBe(hiddenValue(want.text, '_csrf'));
        }
      }
    }
    // The cache did serve them (each page's second round at least).
    expect((pageCaches.get(cached)?.stats.hits ?? 0) - hits).toBeGreaterThanOrEqual(pages.length * cookies.length * ENCODINGS.length);
    await Promise.all([one.close(), two.close()]);
    servers = servers.filter((s) => s !== one && s !== two);
  }

  it('serves the same pages as rendering from the database, after every kind of write (league with a passcode)', async () => {
    setUp({ LEAGUE_PASSCODE: TEST_PASSCODE });
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const dupe = await makePlayer(t.db, 'Bobby');
    const c = client(cached);
    await signIn(c, alice.id);
    const cookie = (c.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }))
      .map((k) => `${k.name}=${k.value}`)
      .join('; ');
    expect(cookie).toContain('grl.session');
    const pages = () => ['/', '/?order=rating', `/players/${alice.id}`, `/players/${bob.id}`, `/head-to-head/${alice.id}/${bob.id}`, '/records', '/?year=2026'];
    const check = () => expectSamePages(pages(), ['', cookie]);
    const csrf = async (path = '/hands/new') => (await c.formTokens(path)).csrf;

    await check();
    // A quick hand.
    const form = await c.formTokens('/hands/new');
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'a', deadwood: '7' })
      .expect(303);
    expect(await t.db('hands')).toHaveLength(1);
    await check();
    // A new game, a scorepad hand, a correction of it.
    const gameId = await startGame(c, alice.id, bob.id);
    await check();
    const pad = await c.formTokens(`/games/${gameId}`);
    await c.agent
      .post(`/games/${gameId}/hands`)
      .type('form')
      .send({ _csrf: pad.csrf, token: hiddenValue(pad.html, 'token'), outcome: 'knock', winner: 'b', deadwood: '9' })
      .expect(303);
    await check();
    const padHand = (await t.db('hands').where({ game_id: gameId }).first()) as { id: number };
    const edit = await c.agent.get(`/games/${gameId}/hands/${padHand.id}/edit`).expect(200);
    await c.agent
      .post(`/games/${gameId}/hands/${padHand.id}`)
      .type('form')
      .send({ _csrf: hiddenValue(edit.text, '_csrf'), token: hiddenValue(edit.text, 'token'), outcome: 'gin', winner: 'a', deadwood: '20' })
      .expect(303);
    await check();
    // Void, then undo.
    const quick = (await t.db('hands').whereNull('game_id').first()) as { id: number };
    await c.agent.post(`/hands/${quick.id}/void`).type('form').send({ _csrf: await csrf() }).expect(303);
    expect((await t.db('hands').where({ id: quick.id }).first())?.voided_at).not.toBeNull();
    await check();
    await c.agent.post(`/hands/${quick.id}/restore`).type('form').send({ _csrf: await csrf() }).expect(303);
    await check();
    // Rename, merge.
    await c.agent.post(`/players/${bob.id}/rename`).type('form').send({ _csrf: await csrf(), name: 'Robert' }).expect(303);
    expect((await t.db('players').where({ id: bob.id }).first())?.name).toBe('Robert');
    await check();
    await makeHand(t.db, { playerAId: alice.id, playerBId: dupe.id, outcome: 'knock', winner: 'b', deadwood: 5 });
    await c.agent.post(`/players/${dupe.id}/merge`).type('form').send({ _csrf: await csrf(), into: String(bob.id), confirm: 'yes' }).expect(303);
    expect((await t.db('players').where({ id: dupe.id }).first())?.merged_into_id).toBe(bob.id);
    await check();
    // An import.
    const importCsrf = await csrf('/export');
    const csv = 'date,player_a,player_b,outcome,winner,deadwood\n2026-03-04 20:00,Alice,Robert,knock,Robert,12\n';
    const res = await c.agent.post(`/import/hands/commit?_csrf=${encodeURIComponent(importCsrf)}`).type('form').send({ _csrf: importCsrf, csv });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    await check();
  }, 180_000);

  it('serves the same pages in an open league, where every visitor gets forms and a token of their own', async () => {
    setUp({});
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 3 });
    const c = client(cached);
    await c.formTokens('/hands/new');
    const cookie = (c.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })).map((k) => `${k.name}=${k.value}`).join('; ');
    await expectSamePages(['/', `/head-to-head/${alice.id}/${bob.id}`], ['', cookie]);
    // A visitor with no session yet is given one, with the token its page carries.
    const { base, close } = await listen(cached);
    const first = await get(base, '/', { 'accept-encoding': 'gzip' });
    expect(first.headers['set-cookie']?.join()).toContain('grl.session');
    expect(hiddenValue(first.text, '_csrf')).toHaveLength(TOKEN_LENGTH);
    await close();
  }, 60_000);

  it('keeps the pages people keep asking for through a flood of one-off addresses', async () => {
    setUp({});
    await makePlayer(t.db, 'Alice');
    const { base, close } = await listen(cached);
    servers.push({ base, close });
    const stats = pageCaches.get(cached)!.stats;
    const before = stats.renders;
    expect((await get(base, '/')).status).toBe(200);
    // 150 addresses nobody asks for twice (a crawler, tracking parameters), more than the
    // cache holds (100 pages), while someone keeps opening the leaderboard.
    for (let i = 0; i < 150; i++) {
      expect((await get(base, `/records?from=crawler-${i}`)).status).toBe(200);
      if (i % 20 === 19) expect((await get(base, '/')).status).toBe(200);
    }
    expect((await get(base, '/')).status).toBe(200);
    // One render per one-off address, and the leaderboard's only the first time.
    expect(stats.renders - before).toBe(1 + 150);
    const renders = stats.renders;
    // The oldest one-off address was pushed out: asked again, it is rendered again.
    expect((await get(base, '/records?from=crawler-0')).status).toBe(200);
    expect(stats.renders).toBe(renders + 1);
    await close();
    servers = servers.filter((s) => s.base !== base);
  }, 60_000);

  it('answers a revalidation with 304 until the league changes, and never keeps a page with a flash', async () => {
    setUp({ LEAGUE_PASSCODE: TEST_PASSCODE });
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { base, close } = await listen(cached);
    servers.push({ base, close });
    const first = await get(base, '/', { 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\//);
    expect(first.headers.vary).toMatch(/Accept-Encoding/i);
    expect((await get(base, '/', { 'accept-encoding': 'br', 'if-none-match': etag })).status).toBe(304);
    expect((await get(base, '/', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(304);

    // A member records a hand: the page after it (with its flash) shows the hand, and the
    // page kept for visitors has moved on too.
    const c = client(cached);
    await signIn(c, alice.id);
    const form = await c.formTokens('/hands/new');
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'a', deadwood: '7' })
      .expect(303);
    const flashed = await c.agent.get('/').expect(200);
    expect(flashed.text).toContain('is-success');
    expect(flashed.text).toContain('<strong>Alice</strong> +32');
    expect((await c.agent.get('/').expect(200)).text).not.toContain('is-success');
    const after = await get(base, '/', { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.text).toContain('<strong>Alice</strong> +32');
    expect(after.headers.etag).not.toBe(etag);
    // A member's page carries a token: its tag names the token too, and revalidates.
    const cookie = (c.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })).map((k) => `${k.name}=${k.value}`).join('; ');
    const mine = await get(base, '/', { cookie, 'accept-encoding': 'gzip' });
    expect(mine.headers.etag).not.toBe(after.headers.etag);
    expect((await get(base, '/', { cookie, 'accept-encoding': 'gzip', 'if-none-match': mine.headers.etag as string })).status).toBe(304);
  });
});

describe('splicing a token into a kept gzip body', () => {
  it('gives what gzip of the whole page gives, for any cut', () => {
    const html = Buffer.from('<p>'.repeat(2000) + 'middle' + '<form>x</form>'.repeat(300));
    const token = Buffer.from('a'.repeat(TOKEN_LENGTH));
    for (const cuts of [[0], [10, 4000], [html.length], [5, 5]]) {
      const parts: Buffer[] = [];
      let at = 0;
      for (const cut of cuts) {
        parts.push(html.subarray(at, cut));
        at = cut;
      }
      parts.push(html.subarray(at));
      const before: Buffer[] = [];
      const deflated = parts.map((part, i) => {
        const dictionary = Buffer.concat(before).subarray(-32768);
        before.push(part, Buffer.alloc(TOKEN_LENGTH));
        return zlib.deflateRawSync(part, { finishFlush: i === parts.length - 1 ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH, ...(dictionary.length ? { dictionary } : {}) });
      });
      const whole = Buffer.concat(parts.flatMap((p, i) => (i < parts.length - 1 ? [p, token] : [p])));
      expect(zlib.gunzipSync(splicedGzip(parts, deflated, token)).equals(whole)).toBe(true);
      // Later tokens copied from the one before, where the window reaches.
      const copies = parts.slice(0, -1).map((part, i) => (i === 0 ? null : tokenCopyBlock(TOKEN_LENGTH + part.length)));
      expect(zlib.gunzipSync(splicedGzip(parts, deflated, token, copies)).equals(whole)).toBe(true);
    }
  });

  it('copies a token from any distance deflate allows', () => {
    const token = Buffer.from('0123456789abcdef'.repeat(16));
    for (const gap of [0, 1, 3, 4, 5, 100, 1000, 4000, 10_000, 20_000, 32_768 - TOKEN_LENGTH]) {
      const part = Buffer.alloc(gap, 'x');
      const distance = TOKEN_LENGTH + gap;
      const copy = tokenCopyBlock(distance);
      expect(copy, String(gap)).not.toBeNull();
      const stream = Buffer.concat([Buffer.from([0, TOKEN_LENGTH & 255, TOKEN_LENGTH >> 8, ~TOKEN_LENGTH & 255, (~TOKEN_LENGTH >> 8) & 255]), token, zlib.deflateRawSync(part, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), copy as Buffer, zlib.deflateRawSync(Buffer.from('end'))]);
      expect(zlib.inflateRawSync(stream).equals(Buffer.concat([token, part, token, Buffer.from('end')])), String(gap)).toBe(true);
    }
    expect(tokenCopyBlock(32_769)).toBeNull();
  });
});

