import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue, startGame } from '../support/app.js';
import { makePlayer } from '../support/factories.js';

const t = useTestDb();

async function setUp() {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const c = client(createTestApp(t.db));
  return { alice, bob, c };
}

/** Posts the scorepad's hand form with the tokens from the page. */
async function postHand(c: ReturnType<typeof client>, gameId: number, fields: Record<string, string>, expectStatus = 303) {
  const { csrf, html } = await c.formTokens(`/games/${gameId}`);
  return c.agent
    .post(`/games/${gameId}/hands`)
    .type('form')
    .send({ _csrf: csrf, token: hiddenValue(html, 'token'), ...fields })
    .expect(expectStatus);
}

const handCount = async () => Number((await t.db('hands').whereNull('voided_at').count({ n: '*' }))[0]?.n);

describe('starting a game', () => {
  it('GET /games/new offers the presets with their values and asks for players first when there are none', async () => {
    const empty = await client(createTestApp(t.db)).agent.get('/games/new').expect(200);
    expect(empty.text).toContain('A game needs two players');
    const { c } = await setUp();
    const res = await c.agent.get('/games/new').expect(200);
    for (const label of ['North American', 'Pagat', 'Oklahoma']) expect(res.text).toContain(label);
    expect(res.text).toContain('Who deals first?');
  });

  it('POST /games starts a game and shows its scorepad', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id, 'oklahoma');
    const page = await c.agent.get(`/games/${id}`).expect(200);
    expect(page.text).toContain('Game on: Oklahoma rules, to 150.');
    expect(page.text).toContain('Alice v Bob');
    expect(page.text).toContain('name="upcardRank"');
    expect(page.text).toMatch(/Alice[\s\S]*Deals next/);
  });

  it.each([
    ['the same player twice', { playerB: 'A' }, 'playerB', /two different players/],
    ['no preset', { preset: 'canasta' }, 'preset', /Choose the rules/],
    ['no dealer', { firstDealer: '' }, 'firstDealer', /who deals first/],
    ['a malformed player', { playerA: 'x' }, 'playerA', /Choose the first player/],
  ])('answers 422 for %s', async (_name, change, field, message) => {
    const { alice, bob, c } = await setUp();
    const { csrf, html } = await c.formTokens('/games/new');
    const body: Record<string, string> = { _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), firstDealer: 'a', preset: 'pagat', ...change };
    if (body.playerB === 'A') body.playerB = String(alice.id);
    const res = await c.agent.post('/games').type('form').send(body).expect(422);
    expect(res.text).toMatch(message);
    expect(res.text).toContain(`id="field-${field}-error"`);
    expect(await t.db('games')).toHaveLength(0);
  });

  it('answers 404 for unknown and malformed game ids', async () => {
    const { c } = await setUp();
    await c.agent.get('/games/99999').expect(404);
    await c.agent.get('/games/abc').expect(404);
  });
});

describe('the scorepad', () => {
  it('records hands with their arithmetic, finishes the game and lists it on the leaderboard', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    await postHand(c, id, { outcome: 'knock', winner: 'a', deadwoodA: '6', deadwoodB: '18' });
    let page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('Alice +12 (knock)');
    expect(page.text).toContain('Knock: 18 − 6 = 12');
    expect(page.text).toMatch(/Bob[\s\S]*Deals next/);
    const home = await c.agent.get('/');
    expect(home.text).toContain('Continue: Alice 12 – 0 Bob');

    await postHand(c, id, { outcome: 'knock', winner: 'a', deadwoodA: '5', deadwoodB: '5' });
    page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('Bob +25 (undercut)');

    await postHand(c, id, { outcome: 'gin', winner: 'a', deadwood: '70' });
    page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('Alice wins the game!');
    expect(page.text).toMatch(/Alice wins, by \d+/);
    expect(page.text).toContain('Final breakdown');
    expect(page.text).not.toContain('action="/games/' + id + '/hands"');
    const after = await c.agent.get('/');
    expect(after.text).not.toContain('Continue:');
    expect(after.text).toMatch(/game-standings[\s\S]*Alice<\/a><\/th>\s*<td[^>]*>1<\/td>\s*<td[^>]*>1<\/td>/);
  });

  it.each([
    ['gin with deadwood', { outcome: 'gin', winner: 'a', deadwoodA: '4', deadwoodB: '30' }, 'deadwoodA', /Gin means the winner has no deadwood/],
    ['a knock above the limit', { outcome: 'knock', winner: 'b', deadwoodA: '40', deadwoodB: '12' }, 'deadwoodB', /10 or less/],
    ['no winner', { outcome: 'knock', deadwood: '5' }, 'winner', /Choose who won/],
    ['no deadwood', { outcome: 'knock', winner: 'a' }, 'deadwood', /both deadwood counts, or the difference/],
    ['a count that is not a number', { outcome: 'knock', winner: 'a', deadwoodA: 'five', deadwoodB: '9' }, 'deadwoodA', /deadwood count from 0 to 200/],
    ['a difference over 200', { outcome: 'knock', winner: 'a', deadwood: '999' }, 'deadwood', /0 to 200/],
    ['an unknown outcome', { outcome: 'rummy', winner: 'a', deadwood: '9' }, 'outcome', /Choose how the hand ended/],
    ['a false undercut', { outcome: 'undercut', winner: 'b', deadwoodA: '3', deadwoodB: '9' }, 'outcome', /not an undercut/],
  ])('answers 422 with the form kept for %s', async (_name, fields, field, message) => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    const res = await postHand(c, id, fields, 422);
    expect(res.text).toMatch(new RegExp(`id="field-${field}-error">[^<]*${message.source}`));
    for (const [k, v] of Object.entries(fields)) if (k.startsWith('deadwood')) expect(res.text).toContain(`value="${v}"`);
    expect(await handCount()).toBe(0);
  });

  it('rejects big gin under Pagat and an Oklahoma hand without its upcard', async () => {
    const { alice, bob, c } = await setUp();
    const pagat = await startGame(c, alice.id, bob.id, 'pagat');
    const pagatPage = await c.agent.get(`/games/${pagat}`);
    expect(pagatPage.text).not.toContain('value="big_gin"');
    const res = await postHand(c, pagat, { outcome: 'big_gin', winner: 'a', deadwood: '9' }, 422);
    expect(res.text).toMatch(/no big gin/);
    const oklahoma = await startGame(c, alice.id, bob.id, 'oklahoma');
    const ok = await postHand(c, oklahoma, { outcome: 'knock', winner: 'a', deadwood: '9' }, 422);
    expect(ok.text).toMatch(/enter the upcard/);
    await postHand(c, oklahoma, { outcome: 'gin', winner: 'a', deadwood: '10', upcardRank: '7', upcardSuit: 'S' });
    expect((await c.agent.get(`/games/${oklahoma}`)).text).toContain('doubled by the spade upcard = 70');
    expect(await handCount()).toBe(1);
  });

  it('records a double submission once', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    const { csrf, html } = await c.formTokens(`/games/${id}`);
    const body = { _csrf: csrf, token: hiddenValue(html, 'token'), outcome: 'knock', winner: 'a', deadwood: '9' };
    await c.agent.post(`/games/${id}/hands`).type('form').send(body).expect(303);
    await c.agent.post(`/games/${id}/hands`).type('form').send(body).expect(303);
    expect(await handCount()).toBe(1);
  });

  it('undoes the last hand', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    await postHand(c, id, { outcome: 'knock', winner: 'a', deadwood: '9' });
    const { csrf } = await c.formTokens(`/games/${id}`);
    await c.agent.post(`/games/${id}/undo`).type('form').send({ _csrf: csrf }).expect(303);
    expect(await handCount()).toBe(0);
    const after = (await c.agent.get(`/games/${id}`)).text;
    expect(after).toContain('Taken back: hand 1, Alice +9 (knock) v Bob.');
    await c.agent.post(`/games/${id}/undo`).type('form').send({ _csrf: csrf }).expect(303);
    expect((await c.agent.get(`/games/${id}`)).text).toContain('There is no hand to undo.');
    // The message of the undo offered to put it back: that works, without JavaScript.
    const putBack = /<form method="post" action="(\/games\/\d+\/hands\/\d+\/restore)"/.exec(after)?.[1];
    expect(putBack).toBeDefined();
    await c.agent.post(putBack as string).type('form').send({ _csrf: csrf }).expect(303);
    expect(await handCount()).toBe(1);
  });

  it('corrects and deletes a hand', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    await postHand(c, id, { outcome: 'knock', winner: 'a', deadwood: '9' });
    await postHand(c, id, { outcome: 'knock', winner: 'b', deadwood: '4' });
    const [first, second] = await t.db('hands').whereNull('voided_at').orderBy('hand_number');
    const edit = await c.agent.get(`/games/${id}/hands/${first!.id}/edit`).expect(200);
    expect(edit.text).toContain('Correct hand 1');
    expect(edit.text).toContain('value="9"');
    const csrf = hiddenValue(edit.text, '_csrf');
    const bad = await c.agent.post(`/games/${id}/hands/${first!.id}`).type('form').send({ _csrf: csrf, token: hiddenValue(edit.text, 'token'), outcome: 'gin', winner: 'a', deadwoodA: '3', deadwoodB: '20' }).expect(422);
    expect(bad.text).toMatch(/Gin means the winner has no deadwood/);
    await c.agent.post(`/games/${id}/hands/${first!.id}`).type('form').send({ _csrf: csrf, token: hiddenValue(edit.text, 'token'), outcome: 'gin', winner: 'a', deadwood: '20' }).expect(303);
    let page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('Hand corrected');
    expect(page.text).toContain('Gin: 25 + 20 = 45');
    await c.agent.post(`/games/${id}/hands/${second!.id}/delete`).type('form').send({ _csrf: csrf }).expect(303);
    page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('Hand deleted');
    expect(await handCount()).toBe(1);
    await c.agent.get(`/games/${id}/hands/${second!.id}/edit`).expect(404);
    await c.agent.post(`/games/${id}/hands/424242/delete`).type('form').send({ _csrf: csrf }).expect(404);
  });

  it('edits the rules before the first hand only, with messages for bad values', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    const { csrf } = await c.formTokens(`/games/${id}`);
    const rules = { _csrf: csrf, ginBonus: '20', bigGinBonus: '', undercutBonus: '10', lineBonus: '20', gameBonus: '100', target: '150', knockLimit: '10' };
    const bad = await c.agent.post(`/games/${id}/rules`).type('form').send({ ...rules, target: '0' }).expect(422);
    expect(bad.text).toMatch(/Target: a whole number from 1 to 1000/);
    expect(bad.text).toContain('value="0"');
    await c.agent.post(`/games/${id}/rules`).type('form').send(rules).expect(303);
    let page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('to 150');
    expect(page.text).not.toContain('value="big_gin"');
    await postHand(c, id, { outcome: 'knock', winner: 'a', deadwood: '9' });
    page = await c.agent.get(`/games/${id}`);
    expect(page.text).toContain('Locked since the first hand.');
    const locked = await c.agent.post(`/games/${id}/rules`).type('form').send(rules).expect(422);
    expect(locked.text).toContain('locked once the first hand');
  });

  it('shows a hand recorded on one phone on the other after a reload', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    const other = client(createTestApp(t.db));
    const before = await other.agent.get(`/games/${id}`).expect(200);
    expect(before.text).toContain('No hands yet');
    await postHand(c, id, { outcome: 'gin', winner: 'b', deadwood: '12' });
    const after = await other.agent.get(`/games/${id}`).expect(200);
    expect(after.text).toContain('Gin: 25 + 12 = 37');
    // The other phone's own form still records the next hand, after the first.
    await postHand(other, id, { outcome: 'knock', winner: 'a', deadwood: '3' });
    expect((await t.db('hands').whereNull('voided_at').orderBy('hand_number')).map((h) => [h.hand_number, h.points])).toEqual([[1, 37], [2, 3]]);
  });

  it.each([
    ['ginBonus', 'x', /Gin bonus: a whole number from 0 to 1000/],
    ['bigGinBonus', '1001', /Big gin bonus: a whole number from 0 to 1000/],
    ['undercutBonus', '-1', /Undercut bonus: a whole number from 0 to 1000/],
    ['lineBonus', '2.5', /Line bonus: a whole number from 0 to 1000/],
    ['gameBonus', '', /Game bonus: a whole number from 0 to 1000/],
    ['knockLimit', '11', /Knock limit: a whole number from 0 to 10/],
  ])('refuses the rule value %s = "%s"', async (field, value, message) => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    const { csrf } = await c.formTokens(`/games/${id}`);
    const rules = { _csrf: csrf, ginBonus: '20', bigGinBonus: '', undercutBonus: '10', lineBonus: '20', gameBonus: '100', target: '150', knockLimit: '10', [field]: value };
    const res = await c.agent.post(`/games/${id}/rules`).type('form').send(rules).expect(422);
    expect(res.text).toMatch(new RegExp(`id="field-${field}-error">${message.source}`));
    expect((await t.db('games').where({ id }).first())!.target).toBe(100);
  });

  it('answers 403 to a hand without a CSRF token', async () => {
    const { alice, bob, c } = await setUp();
    const id = await startGame(c, alice.id, bob.id);
    await c.agent.post(`/games/${id}/hands`).type('form').send({ outcome: 'knock', winner: 'a', deadwood: '9', token: 'abcdefghijklmnopqrstu' }).expect(403);
    expect(await handCount()).toBe(0);
  });
});
