import request from 'supertest';
import type { Express } from 'express';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db.js';

export function testConfig(env: Record<string, string> = {}): Config {
  // The test app is handed its database: a production config here needs no DATABASE_URL.
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', EMBEDDED_DATABASE_IN_PRODUCTION: 'true', ...env });
}

export function createTestApp(db: Db, env: Record<string, string> = {}): Express {
  const config = testConfig(env);
  return createApp({ config, db, logger: pino({ level: 'silent' }) });
}

/** The value of a hidden input in a page, e.g. the CSRF token or the idempotency token. */
export function hiddenValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no hidden input "${name}" in the page`);
  return match[1];
}

/** A browser-like client: keeps cookies, and reads the form tokens from a GET. */
export function client(app: Express) {
  const agent = request.agent(app);
  return {
    agent,
    async formTokens(path: string) {
      const res = await agent.get(path).expect(200);
      return { csrf: hiddenValue(res.text, '_csrf'), html: res.text };
    },
  };
}

export const TEST_PASSCODE = 'correct-horse';
/** A SECRET_KEY that production accepts (long, varied, not the development default). */
export const TEST_SECRET_KEY = 'test-only-secret-7f3a9c1e5b2d8046-QWERTYuiop';

/** Signs a client in through the real form; returns the page's new CSRF token. */
export async function signIn(c: ReturnType<typeof client>, playerId: number, passcode = TEST_PASSCODE): Promise<string> {
  const { csrf } = await c.formTokens('/sign-in');
  await c.agent.post('/sign-in').type('form').send({ _csrf: csrf, passcode, who: String(playerId) }).expect(303);
  return (await c.formTokens('/sign-in')).csrf;
}

/** The cookies a response set, as a Cookie header: a copy of what the phone keeps. */
export function cookieOf(res: { headers: Record<string, unknown> }): string {
  const set = res.headers['set-cookie'];
  return (Array.isArray(set) ? set : [String(set)]).map((c: string) => c.split(';')[0]).join('; ');
}

/** Signs in through the form without an agent; returns a copy of the cookie it set. */
export async function signInCopy(app: Express, playerId: number, passcode = TEST_PASSCODE): Promise<string> {
  const page = await request(app).get('/sign-in').expect(200);
  const res = await request(app)
    .post('/sign-in')
    .set('Cookie', cookieOf(page))
    .type('form')
    .send({ _csrf: hiddenValue(page.text, '_csrf'), passcode, who: String(playerId) })
    .expect(303);
  return cookieOf(res);
}

/** Starts a game through the real form; returns its id. */
export async function startGame(c: ReturnType<typeof client>, playerA: number, playerB: number, preset = 'north_american'): Promise<number> {
  const { csrf, html } = await c.formTokens('/games/new');
  const res = await c.agent
    .post('/games')
    .type('form')
    .send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(playerA), playerB: String(playerB), firstDealer: 'a', preset })
    .expect(303);
  return Number(/\/games\/(\d+)$/.exec(res.headers.location as string)?.[1]);
}
