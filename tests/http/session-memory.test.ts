/*
 * A signed-in member's session is remembered by the app for a moment instead of read on
 * every request (issue 17), and forgotten as soon as a change to sessions or players is
 * announced, whoever made it: a sign-out on another phone, "all my phones", a rename, or a
 * statement from another process. On PGlite and, with TEST_DATABASE_URL, on Postgres.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, signIn, TEST_PASSCODE } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { leagueVersions } from '../../src/app.js';
import { SESSION_MEMORY_MS } from '../../src/auth/selectors.js';
import type { Db } from '../../src/db.js';

const t = useTestDb();
const members = { LEAGUE_PASSCODE: TEST_PASSCODE };

const listeners: (() => void)[] = [];
function sessionReads(db: Db): { readonly n: number } {
  const counter = { n: 0 };
  const onQuery = (query: { sql?: unknown }) => {
    if (typeof query.sql === 'string' && /^\s*select\b[\s\S]*\bmember_sessions\b/i.test(query.sql)) counter.n++;
  };
  db.on('query', onQuery);
  listeners.push(() => db.off('query', onQuery));
  return counter;
}
afterEach(() => listeners.splice(0).forEach((off) => off()));

/** The app, once its live feed listens (on Postgres it connects when first asked). */
async function listeningApp(): Promise<Express> {
  const app = createTestApp(t.db, members);
  const version = leagueVersions.get(app)!;
  await expect.poll(() => version.membersGeneration(), { timeout: 10_000 }).not.toBeNull();
  return app;
}
const generationOf = (app: Express) => leagueVersions.get(app)!.membersGeneration();

/** Who the page says is signed in: the name, or null when nobody is. */
async function signedInAs(c: ReturnType<typeof client>): Promise<string | null> {
  const res = await c.agent.get('/players').expect(200);
  return /title="This phone's sign-in">([^<]+)<\/a>/.exec(res.text)?.[1] ?? null;
}

describe('a signed-in member, remembered', () => {
  it('is read from the database about once a second, not on every request', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const c = client(await listeningApp());
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

    const before = generationOf(app);
    const rememberedAt = Date.now();
    const { csrf } = await phone.formTokens('/players');
    await phone.agent.post('/sign-out/everywhere').type('form').send({ _csrf: csrf }).expect(303);
    await expect.poll(() => generationOf(app), { interval: 5 }).not.toBe(before);
    expect(await signedInAs(lost)).toBeNull();
    // Sooner than the memory would have run out by itself: the notice did it.
    expect(Date.now() - rememberedAt).toBeLessThan(SESSION_MEMORY_MS);
    expect(Number((await t.db('member_sessions').whereNull('ended_at').count({ n: '*' }))[0]?.n)).toBe(0);

    // Another process (here: a statement on its own connection) ends a session.
    await signIn(lost, alice.id);
    expect(await signedInAs(lost)).toBe('Alice');
    expect(await signedInAs(lost)).toBe('Alice');
    const again = generationOf(app);
    const rememberedAgain = Date.now();
    await t.db('member_sessions').update({ ended_at: t.db.fn.now() });
    await expect.poll(() => generationOf(app), { interval: 5 }).not.toBe(again);
    expect(await signedInAs(lost)).toBeNull();
    expect(Date.now() - rememberedAgain).toBeLessThan(SESSION_MEMORY_MS);
  });

  it('shows a rename made anywhere at the next request after its notice', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const app = await listeningApp();
    const c = client(app);
    await signIn(c, alice.id);
    expect(await signedInAs(c)).toBe('Alice');
    expect(await signedInAs(c)).toBe('Alice');
    const before = generationOf(app);
    const rememberedAt = Date.now();
    await t.db('players').where({ id: alice.id }).update({ name: 'Alicia', name_key: 'alicia' });
    await expect.poll(() => generationOf(app), { interval: 5 }).not.toBe(before);
    expect(await signedInAs(c)).toBe('Alicia');
    expect(Date.now() - rememberedAt).toBeLessThan(SESSION_MEMORY_MS);
  });
});
