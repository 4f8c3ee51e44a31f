/*
 * A signed-in member's session is remembered by the app for a moment instead of read on
 * every request (issue 17), and forgotten as soon as a change to sessions or players is
 * announced, whoever made it: a sign-out on another phone, "all my phones", a rename, or a
 * statement from another process. On PGlite and, with TEST_DATABASE_URL, on Postgres.
 */
import { describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { pino } from 'pino';
import { useTestDb } from '../support/db.js';
import { client, hiddenValue, signIn, testConfig, TEST_PASSCODE } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { countQueries, SESSION_READ } from '../support/queries.js';
import { createApp, leagueVersions } from '../../src/app.js';
import { SESSION_MEMORY_MS } from '../../src/auth/selectors.js';
import pg from 'pg';
import { pgliteIf, type Db } from '../../src/db.js';

const t = useTestDb();
const members = { LEAGUE_PASSCODE: TEST_PASSCODE };

const sessionReads = (db: Db) => countQueries(db, SESSION_READ);

/**
 * The app, once its live feed listens (on Postgres it connects when first asked). A session
 * is remembered for `rememberMs`: a minute where what must end the memory is a notice,
 * not the time running out.
 */
async function listeningApp(rememberMs = 60_000): Promise<Express> {
  const app = createApp({ config: testConfig(members), db: t.db, logger: pino({ level: 'silent' }), sessionMemoryMs: rememberMs });
  const version = leagueVersions.get(app)!;
  await expect.poll(() => version.membersGeneration(), { timeout: 10_000 }).not.toBeNull();
  return app;
}
const generationOf = (app: Express) => leagueVersions.get(app)!.membersGeneration();

/**
 * A statement the app does not make and cannot see (another process, a console): on
 * Postgres over a connection of its own, on PGlite straight to the engine, past Knex.
 */
async function elsewhere(sql: string): Promise<void> {
  const engine = pgliteIf(t.db);
  if (engine) {
    await engine.exec(sql);
    return;
  }
  const other = new pg.Client({ connectionString: t.testDb.url });
  await other.connect();
  try {
    await other.query(sql);
  } finally {
    await other.end();
  }
}

/** Who the page says is signed in: the name, or null when nobody is. */
async function signedInAs(c: ReturnType<typeof client>): Promise<string | null> {
  const res = await c.agent.get('/players').expect(200);
  return /title="This phone's sign-in">([^<]+)<\/a>/.exec(res.text)?.[1] ?? null;
}

describe('a signed-in member, remembered', () => {
  it('is read from the database about once a second, not on every request', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const c = client(await listeningApp(SESSION_MEMORY_MS));
    await signIn(c, alice.id);
    const reads = sessionReads(t.db);
    const started = Date.now();
    for (let i = 0; i < 12; i++) expect(await signedInAs(c)).toBe('Alice');
    // Twelve requests; a read for the first (unless sign-in's last page left it remembered)
    // and one more each time the memory ran out on a slow machine.
    expect(reads.n).toBeLessThanOrEqual(1 + Math.floor((Date.now() - started) / SESSION_MEMORY_MS));
  });

  it('is signed out on this phone as soon as another phone signs out on all phones, or a statement elsewhere ends the session', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = await listeningApp();
    const [phone, lost] = [client(app), client(app)];
    await signIn(phone, alice.id);
    await signIn(lost, alice.id);
    expect(await signedInAs(lost)).toBe('Alice');
    expect(await signedInAs(lost)).toBe('Alice'); // remembered now

    // The lost phone had its form open, remembered as signed in.
    const bob = await makePlayer(t.db, 'Bob');
    const form = await lost.formTokens('/hands/new');
    // The same process: at once, without waiting for its own notice to come back.
    const { csrf } = await phone.formTokens('/players');
    await phone.agent.post('/sign-out/everywhere').type('form').send({ _csrf: csrf }).expect(303);
    const refused = await lost.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: form.csrf, token: hiddenValue(form.html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'gin', winner: 'a', deadwood: '5' });
    expect(refused.status).toBe(401);
    expect(await t.db('hands').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await signedInAs(lost)).toBeNull();
    expect(Number((await t.db('member_sessions').whereNull('ended_at').count({ n: '*' }))[0]?.n)).toBe(0);

    // Another process ends the session: forgotten at its notice.
    await signIn(lost, alice.id);
    expect(await signedInAs(lost)).toBe('Alice');
    expect(await signedInAs(lost)).toBe('Alice');
    const before = generationOf(app);
    await elsewhere('update member_sessions set ended_at = now()');
    await expect.poll(() => generationOf(app), { interval: 5 }).not.toBe(before);
    expect(await signedInAs(lost)).toBeNull();
  });

  it('remembers nothing in the process that changes members, from the moment its statement starts until its notice', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = await listeningApp();
    const before = generationOf(app);
    expect(before).not.toBeNull();
    let atStart: number | null | undefined;
    // Runs after the app's own watcher has seen the statement, before it reaches the database.
    t.db.once('query', () => (atStart = generationOf(app)));
    await t.db('players').where({ id: alice.id }).update({ name: 'Alicia', name_key: 'alicia' });
    expect(atStart).toBeNull();
    await expect.poll(() => generationOf(app), { interval: 5 }).not.toBeNull();
    expect(generationOf(app)).not.toBe(before);
  });

  it('shows a rename made anywhere at the next request after its notice', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = await listeningApp();
    const c = client(app);
    await signIn(c, alice.id);
    expect(await signedInAs(c)).toBe('Alice');
    expect(await signedInAs(c)).toBe('Alice');
    const before = generationOf(app);
    await elsewhere(`update players set name = 'Alicia', name_key = 'alicia' where id = ${alice.id}`);
    await expect.poll(() => generationOf(app), { interval: 5 }).not.toBe(before);
    expect(await signedInAs(c)).toBe('Alicia');
  });
});
