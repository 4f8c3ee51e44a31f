import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, TEST_SECRET_KEY } from '../support/app.js';
import { createApp } from '../../src/app.js';
import { createDb } from '../../src/db.js';
import { testConfig } from '../support/app.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();
const production = { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, OPEN_LEAGUE: 'true' };

describe('in production behind a proxy', () => {
  it('redirects plain HTTP to HTTPS by X-Forwarded-Proto, on a host it knows', async () => {
    const res = await request(createTestApp(t.db, { ...production, ALLOWED_HOSTS: 'league.example' }))
      .get('/players?x=1')
      .set('Host', 'league.example')
      .set('X-Forwarded-Proto', 'http')
      .expect(301);
    expect(res.headers.location).toBe('https://league.example/players?x=1');
  });

  it('serves HTTPS requests with HSTS and a Secure, HttpOnly, SameSite=Lax session cookie', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const res = await request(createTestApp(t.db, production)).get('/hands/new').set('X-Forwarded-Proto', 'https').expect(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/grl\.session=/);
    expect(cookie).toMatch(/; secure/i);
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).toMatch(/; samesite=lax/i);
  });

  it('sends no HSTS and no Secure flag in development', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const res = await client(createTestApp(t.db)).agent.get('/hands/new').expect(200);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(String(res.headers['set-cookie'])).not.toMatch(/; secure/i);
  });
});

describe('when the database is unreachable', () => {
  const unreachable = () =>
    createDb({ kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', ssl: false, poolMax: 2, statementTimeoutMs: 1000 }, { warn: () => {}, error: () => {} });

  it('/healthz answers 503 within about a second', async () => {
    const db = unreachable();
    try {
      const app = createApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) });
      const started = Date.now();
      const res = await request(app).get('/healthz').expect(503);
      expect(res.body).toEqual({ status: 'unavailable', database: 'down' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await db.destroy();
    }
  });

  it('pages answer a friendly 503', async () => {
    const db = unreachable();
    try {
      const app = createApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) });
      const res = await request(app).get('/').expect(503);
      expect(res.text).toContain('The scores are unavailable for a moment');
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      await db.destroy();
    }
  });
});
