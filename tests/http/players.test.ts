import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue } from '../support/app.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();

const names = async () => (await t.db('players').orderBy('id').select('name')).map((r) => r.name);

describe('players pages', () => {
  it('adds a player, trimming the name, and says so', async () => {
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/players');
    const res = await c.agent.post('/players').type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), name: '   Alice   ' }).expect(303);
    expect(res.headers.location).toBe('/players');
    const page = await c.agent.get('/players');
    expect(page.text).toContain('Added Alice.');
    expect(await names()).toEqual(['Alice']);
  });

  it.each([
    ['an empty name', '   ', /Enter a name/],
    ['a name over 40 characters', 'x'.repeat(41), /at most 40 characters/],
  ])('re-renders with a message for %s', async (_case, name, message) => {
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/players');
    const res = await c.agent.post('/players').type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), name }).expect(422);
    expect(res.text).toMatch(new RegExp(`id="new-player-name-error">[^<]*${message.source}`));
    expect(res.text).toContain(`value="${name}"`);
    expect(await names()).toEqual([]);
  });

  it('refuses a duplicate ignoring case, keeping what was typed', async () => {
    await makePlayer(t.db, 'Alice');
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/players');
    const res = await c.agent.post('/players').type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), name: 'ALICE' }).expect(422);
    expect(res.text).toMatch(/already a player called Alice\./);
    expect(res.text).toContain('value="ALICE"');
    expect(await names()).toEqual(['Alice']);
  });

  it('shows names escaped', async () => {
    await makePlayer(t.db, '<b>Bold</b> "Bob"');
    const res = await client(createTestApp(t.db)).agent.get('/players').expect(200);
    expect(res.text).toContain('&lt;b&gt;Bold&lt;/b&gt; &quot;Bob&quot;');
    expect(res.text).not.toContain('<b>Bold</b>');
  });

  it('adds a player once when the form is submitted twice', async () => {
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/players');
    const body = { _csrf: csrf, token: hiddenValue(html, 'token'), name: 'Alice' };
    await c.agent.post('/players').type('form').send(body).expect(303);
    await c.agent.post('/players').type('form').send(body).expect(303);
    expect(await names()).toEqual(['Alice']);
  });

  it('renames a player', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const c = client(createTestApp(t.db));
    const { csrf } = await c.formTokens('/players');
    await c.agent.post(`/players/${alice.id}/rename`).type('form').send({ _csrf: csrf, name: 'Alicia' }).expect(303);
    expect(await names()).toEqual(['Alicia']);
    expect((await c.agent.get('/players')).text).toContain('Renamed to Alicia.');
  });

  it('shows a rename error beside that player only', async () => {
    await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const { csrf } = await c.formTokens('/players');
    const res = await c.agent.post(`/players/${bob.id}/rename`).type('form').send({ _csrf: csrf, name: 'alice' }).expect(422);
    expect(res.text).toMatch(new RegExp(`id="rename-${bob.id}-error">There is already a player called Alice\\.`));
    expect(res.text).toContain('value="alice"');
    expect(await names()).toEqual(['Alice', 'Bob']);
  });

  it.each(['999999', 'abc', '0', '-1'])('answers 404 when renaming player %s', async (id) => {
    const c = client(createTestApp(t.db));
    const { csrf } = await c.formTokens('/players');
    await c.agent.post(`/players/${id}/rename`).type('form').send({ _csrf: csrf, name: 'Zed' }).expect(404);
  });

  it('lets the server see a name over 40 characters: no field cuts it short', async () => {
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/players');
    expect(html).not.toMatch(/maxlength="40"/);
    expect((await c.agent.get('/sign-in')).text).not.toMatch(/maxlength="40"/);
    const name = 'A'.repeat(41);
    const res = await c.agent.post('/players').type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), name }).expect(422);
    expect(res.text).toContain('A name can be at most 40 characters; this one has 41.');
    expect(res.text).toContain(`value="${name}"`);
    expect(await names()).toEqual([]);
  });

  it.each([
    ['Ｂｏｂ', /There is already a player called Bob\./],
    ['bob', /There is already a player called Bob\./],
    ['Bob\u200B', /invisible formatting characters[^<]*U\+200B/],
    ['\u202EboB', /U\+202E/],
  ])('refuses %j next to Bob, saying why', async (name, message) => {
    await makePlayer(t.db, 'Bob');
    const c = client(createTestApp(t.db));
    const { csrf, html } = await c.formTokens('/players');
    const res = await c.agent.post('/players').type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), name }).expect(422);
    expect(res.text).toMatch(new RegExp(`id="new-player-name-error">[^<]*${message.source}`));
    expect(await names()).toEqual(['Bob']);
  });

  it('marks look-alikes kept from before the rule, pointing at the older player', async () => {
    const bob = await makePlayer(t.db, 'Bob');
    const [legacy] = await t.db('players').insert({ name: 'Ｂｏｂ', name_key: null }).returning('id');
    const res = await client(createTestApp(t.db)).agent.get('/players').expect(200);
    expect(res.text).toMatch(new RegExp(`Look-alike</span> This name looks the same as <a href="/players/${bob.id}">Bob</a>`));
    expect(res.text.match(/Look-alike<\/span>/g)).toHaveLength(1);
    expect(legacy!.id).toBeGreaterThan(bob.id);
  });
});
