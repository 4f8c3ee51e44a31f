/*
 * Every GET route, with random and hostile query strings and path segments: no input gives
 * a 5xx. The routes are read from the app's router, so a new page is fuzzed without anyone
 * remembering to add it here. Runs on PGlite and, with TEST_DATABASE_URL, on Postgres.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDb, type TestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every GET path the app answers, from its router (routers are mounted at the root). */
function getRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route?.methods.get) for (const p of [layer.route.path].flat()) out.add(p);
      if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...out].sort();
}

/** Routes that answer with a stream that never ends: fuzzed in tests/http/live.test.ts instead. */
const STREAMS = new Set(['/events']);
const fuzzedRoutes = (app: Express) => getRoutes(app).filter((route) => !STREAMS.has(route));

// Values worth trying anywhere: periods, ids and numbers at their edges, and odd text.
const NASTY = [
  '0000', '0000-01', '0001', '0001-01', '9999', '9999-12', '10000', '1899', '1969-12', '2026-00', '2026-13', '2026-1', '2026-011', '-2026',
  '0', '-1', '1', '2', '3', '1.5', '1e3', '0x10', '999999999', '2147483648', '99999999999999999999', 'NaN', 'Infinity',
  'rating', 'total', 'RATING', '', ' ', '%', '%00', '%E0%A4%A', '%ZZ', '%FF', '..', '.', '//evil.example', '/\\evil.example',
  'javascript:alert(1)', '<script>', '"', "'", "1' OR '1'='1", '__proto__', 'constructor', 'toString', '\u0000', '\u202E', 'Ｂｏｂ', '🂡',
];
const KEYS = ['month', 'year', 'order', 'next', 'id', 'a', 'b', 'page', '__proto__', 'month[]', 'year[x]', ''];

const value = fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.integer().map(String));
const encode = (s: string, raw: boolean) => (raw ? s.replace(/[#?&=\s/]/g, (c) => encodeURIComponent(c)) : encodeURIComponent(s));
const pair = fc.tuple(fc.constantFrom(...KEYS), value, fc.boolean()).map(([k, v, raw]) => `${encode(k, raw)}=${encode(v, raw)}`);
const queryString = fc.array(fc.oneof(pair, fc.constantFrom('month', 'year=', '=', '&', 'order=rating')), { maxLength: 4 }).map((parts) => (parts.length ? `?${parts.join('&')}` : ''));
const segment = fc.oneof(fc.constantFrom('1', '2', '3'), value).map((v) => encode(v, false) || 'x');

let testDb: TestDb;
let app: Express;
// Thousands of requests: sent to one listening server rather than to the app, for which
// supertest would start and stop a server per request.
let server: Server;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  testDb = await createTestDb();
  app = createTestApp(testDb.db);
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  http = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const alice = await makePlayer(testDb.db, 'Alice');
  const bob = await makePlayer(testDb.db, 'Bob');
  await makeHand(testDb.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 3, playedAt: new Date('2026-10-01T20:00:00Z') });
  await makeHand(testDb.db, { playerAId: bob.id, playerBId: alice.id, outcome: 'knock', winner: 'b', deadwood: 7 });
  const { id: game } = await gameStart({ db: testDb.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
  await gameHandRecord({ db: testDb.db, gameId: game, entry: { outcome: 'knock', winner: 'a', difference: 5 }, idempotencyKey: crypto.randomUUID() });
});
afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await testDb?.destroy();
});

describe('GET routes under fuzzing', () => {
  it('finds every page of the app', () => {
    expect(getRoutes(app)).toEqual(
      expect.arrayContaining(['/', '/activity', '/players', '/players/:id', '/head-to-head/:a/:b', '/records', '/games/:id', '/games/:id/hands/:handId/edit', '/export', '/export/hands.csv', '/sign-in']),
    );
  });

  it.each(['?year=0000', '?month=0000-01', '?year=0999', '?month=0001-01', '?year=99999', '?month=2026-00', '?year=2026&month=2026-01'])(
    'answers %s with a clear 400 on every page that takes a period',
    async (query) => {
      for (const path of ['/', '/players/1', '/head-to-head/1/2']) {
        const res = await http.get(`${path}${query}`);
        expect(res.status, `${path}${query}`).toBe(400);
        expect(res.text).toContain('That is not a period we know');
      }
    },
  );

  it('serves the edges of the calendar', async () => {
    for (const query of ['?year=1000', '?month=1000-01', '?year=9999', '?month=9999-12']) {
      await http.get(`/players/1${query}`).expect(200);
    }
  });

  it('answers every hostile value in every query key and path segment without a 5xx', async () => {
    const failures: string[] = [];
    for (const route of fuzzedRoutes(app)) {
      const params = route.match(/:\w+/g) ?? [];
      const urls: string[] = [];
      for (const v of NASTY) {
        const e = encodeURIComponent(v);
        const base = route.replace(/:\w+/g, (_p) => '1').replace(/\/1(?=\/1$)/, '/2');
        urls.push(`${base}?month=${e}`, `${base}?year=${e}&order=${e}&next=${e}`);
        params.forEach((param) => urls.push(route.replace(param, e || 'x').replace(/:\w+/g, '2')));
      }
      for (const url of urls) {
        const res = await http.get(url);
        if (res.status >= 500) failures.push(`${res.status} ${url}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('answers no random query string or path segment with a 5xx', async () => {
    const failures: string[] = [];
    for (const route of fuzzedRoutes(app)) {
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 3, maxLength: 3 }), queryString, async (segments, query) => {
          let i = 0;
          const path = route.replace(/:\w+/g, () => segments[i++] as string);
          const res = await http.get(`${path}${query}`);
          if (res.status >= 500) failures.push(`${res.status} ${path}${query}`);
          return res.status < 500;
        }),
        { numRuns: 40, endOnFailure: true },
      ).catch(() => {});
    }
    expect(failures).toEqual([]);
    await http.get('/healthz').expect(200);
  }, 240_000);
});
