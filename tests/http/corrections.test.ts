import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, signIn, TEST_PASSCODE } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

describe('voiding and restoring through the pages', () => {
  it('voids a hand from the leaderboard and restores it from the activity page', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const { id } = await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 12 });
    const c = client(createTestApp(t.db, { LEAGUE_PASSCODE: TEST_PASSCODE }));
    const csrf = await signIn(c, bob.id);
    expect((await c.agent.get('/')).text).toContain(`action="/hands/${id}/void"`);

    await c.agent.post(`/hands/${id}/void`).type('form').send({ _csrf: csrf }).expect(303);
    const home = await c.agent.get('/');
    expect(home.text).toContain('Hand voided');
    expect(home.text).not.toContain(`/hands/${id}/void`);

    const activity = await c.agent.get('/activity').expect(200);
    expect(activity.text).toContain('<strong>Bob</strong> voided the hand Alice +12 (knock) v Bob');
    expect(activity.text).toContain(`action="/hands/${id}/restore"`);
    await c.agent.post(`/hands/${id}/restore`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await c.agent.get('/')).text).toMatch(/<th scope="row"><a[^>]*>Alice<\/a><\/th>\s*<td[^>]*>1<\/td>\s*<td[^>]*>1<\/td>/);
  });

  it('voids and restores a game', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/games/new');
    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    const started = await c.agent.post('/games').type('form').send({ _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id), firstDealer: 'a', preset: 'pagat' }).expect(303);
    const path = started.headers.location as string;
    await c.agent.post(`${path}/void`).type('form').send({ _csrf: csrf }).expect(303);
    const voided = await c.agent.get(path);
    expect(voided.text).toContain('This game was voided');
    expect(voided.text).not.toContain('Save hand');
    await c.agent.post(`${path}/restore`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await c.agent.get(path)).text).toContain('Save hand');
  });

  it('answers 404 for voiding what does not exist', async () => {
    const c = client(createTestApp(t.db));
    const { csrf } = await c.formTokens('/players');
    await c.agent.post('/hands/999999/void').type('form').send({ _csrf: csrf }).expect(404);
    await c.agent.post('/hands/abc/void').type('form').send({ _csrf: csrf }).expect(404);
    await c.agent.post('/games/999999/void').type('form').send({ _csrf: csrf }).expect(404);
  });
});
