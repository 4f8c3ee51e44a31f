/*
 * Trust at the table: every hand saved exactly once, or refused with the truth. Each case
 * asserts on the rows in the database, not only on what the page says.
 */
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue, startGame } from '../support/app.js';
import { makePlayer } from '../support/factories.js';
import { playerMerge } from '../../src/players/merge.js';

const t = useTestDb();

type Client = ReturnType<typeof client>;

async function setUp() {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const c = client(createTestApp(t.db));
  return { alice, bob, c };
}

const liveHands = () => t.db('hands').whereNull('voided_at').orderBy('id');

/** The flash shown on the next page the client loads. */
async function flashOn(c: Client, path: string): Promise<string> {
  const page = await c.agent.get(path).expect(200);
  return [...page.text.matchAll(/class="notification is-(?:success|info|danger) is-light" role="status">([^<]*)/g)].map((m) => m[1]?.trim()).join(' | ');
}

/** Posts the scorepad's hand form with a fresh page's tokens; answers the response. */
async function scorepadPost(c: Client, gameId: number, fields: Record<string, string>, status: number) {
  const { csrf, html } = await c.formTokens(`/games/${gameId}`);
  return c.agent
    .post(`/games/${gameId}/hands`)
    .type('form')
    .send({ _csrf: csrf, token: hiddenValue(html, 'token'), ...fields })
    .expect(status);
}

describe('one-time tokens protect one hand, never a different one', () => {
  it('the same hand sent again with the same token is stored once, and the user is told so', async () => {
    const { alice, bob, c } = await setUp();
    const { csrf, html } = await c.formTokens('/hands/new');
    const body = { _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '11' };
    await c.agent.post('/hands').type('form').send(body).expect(303);
    expect(await flashOn(c, '/')).toBe('Saved: Alice +11 (knock)');
    await c.agent.post('/hands').type('form').send(body).expect(303);
    expect(await flashOn(c, '/')).toBe('Already saved: Alice +11 (knock). It was sent twice and counts once.');
    const rows = await liveHands();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ winner_id: alice.id, outcome: 'knock', points: 11 });
  });

  it('Back, then a different hand with the spent token: recorded as the new hand, and said so', async () => {
    const { alice, bob, c } = await setUp();
    const { csrf, html } = await c.formTokens('/hands/new');
    const token = hiddenValue(html, 'token');
    const base = { _csrf: csrf, token, playerA: String(alice.id), playerB: String(bob.id) };
    await c.agent.post('/hands').type('form').send({ ...base, outcome: 'knock', winner: 'a', deadwood: '11' }).expect(303);
    await c.agent.get('/');
    await c.agent.post('/hands').type('form').send({ ...base, outcome: 'gin', winner: 'b', deadwood: '20' }).expect(303);
    expect(await flashOn(c, '/')).toBe('Saved: Bob +45 (gin)');
    const rows = await liveHands();
    expect(rows.map((r) => [r.winner_id, r.outcome, r.points])).toEqual([
      [alice.id, 'knock', 11],
      [bob.id, 'gin', 45],
    ]);
  });

  it('the same for the scorepad: a resend is one hand, a different hand under the same token is another', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    const { csrf, html } = await c.formTokens(`/games/${gameId}`);
    const base = { _csrf: csrf, token: hiddenValue(html, 'token') };
    const first = { ...base, outcome: 'knock', winner: 'a', deadwood: '7' };
    await c.agent.post(`/games/${gameId}/hands`).type('form').send(first).expect(303);
    await c.agent.post(`/games/${gameId}/hands`).type('form').send(first).expect(303);
    expect(await flashOn(c, `/games/${gameId}`)).toContain('Already saved: Alice +7 (knock)');
    await c.agent.post(`/games/${gameId}/hands`).type('form').send({ ...base, outcome: 'gin', winner: 'b', deadwoodA: '12' }).expect(303);
    const rows = await liveHands();
    expect(rows.map((r) => [r.hand_number, r.winner_id, r.outcome, r.points])).toEqual([
      [1, alice.id, 'knock', 7],
      [2, bob.id, 'gin', 37],
    ]);
  });

  it('a game started twice from one form is one game; a different pair under the same token is another', async () => {
    const { alice, bob, c } = await setUp();
    const carol = await makePlayer(t.db, 'Carol');
    const { csrf, html } = await c.formTokens('/games/new');
    const base = { _csrf: csrf, token: hiddenValue(html, 'token'), firstDealer: 'a', preset: 'north_american' };
    await c.agent.post('/games').type('form').send({ ...base, playerA: String(alice.id), playerB: String(bob.id) }).expect(303);
    await c.agent.post('/games').type('form').send({ ...base, playerA: String(alice.id), playerB: String(bob.id) }).expect(303);
    await c.agent.post('/games').type('form').send({ ...base, playerA: String(carol.id), playerB: String(bob.id) }).expect(303);
    const games = await t.db('games').orderBy('id');
    expect(games.map((g) => [g.player_a_id, g.player_b_id])).toEqual([
      [alice.id, bob.id],
      [carol.id, bob.id],
    ]);
  });

  it('form pages are never kept by the browser, and their token is not restored by autofill', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    for (const path of ['/hands/new', '/games/new', `/games/${gameId}`]) {
      const res = await c.agent.get(path).expect(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.text, path).toMatch(/name="token" value="[^"]+" autocomplete="off"/);
    }
  });
});

describe('the same rule checks on the quick form and the scorepad', () => {
  it('refuses a knock with a difference of 0 on the quick form, pointing to Undercut', async () => {
    const { alice, bob, c } = await setUp();
    const { csrf, html } = await c.formTokens('/hands/new');
    const res = await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '0' })
      .expect(422);
    expect(res.text).toMatch(/id="field-deadwood-error">A knock with a difference of 0 is an undercut[^<]*Choose Undercut/);
    expect(res.text).toMatch(/value="knock" checked/);
    expect(await liveHands()).toHaveLength(0);
  });

  it('refuses a knock with a difference of 0 on the scorepad too', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    const res = await scorepadPost(c, gameId, { outcome: 'knock', winner: 'b', deadwood: '0' }, 422);
    expect(res.text).toMatch(/Choose Undercut/);
    expect(await liveHands()).toHaveLength(0);
  });

  it("takes a scorepad gin with only the loser's count", async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    await scorepadPost(c, gameId, { outcome: 'gin', winner: 'a', deadwoodA: '', deadwoodB: '14', deadwood: '' }, 303);
    const [row] = await liveHands();
    expect(row).toMatchObject({ winner_id: alice.id, outcome: 'gin', deadwood: 14, deadwood_a: 0, deadwood_b: 14, points: 39 });
  });

  it('refuses counts and a difference that disagree, naming both, and keeps what was typed', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    const res = await scorepadPost(c, gameId, { outcome: 'knock', winner: 'a', deadwoodA: '6', deadwoodB: '18', deadwood: '10' }, 422);
    expect(res.text).toMatch(/id="field-deadwood-error">The counts 6 and 18 make a difference of 12, not 10/);
    expect(res.text).toMatch(/id="field-deadwoodA-error">Disagrees with the difference \(10\)/);
    expect(res.text).toMatch(/id="field-deadwoodB-error">Disagrees with the difference \(10\)/);
    expect(res.text).toMatch(/name="deadwoodA"\s+value="6"/);
    expect(await liveHands()).toHaveLength(0);
  });

  it('checks the knock limit wherever both counts are given', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    const res = await scorepadPost(c, gameId, { outcome: 'knock', winner: 'a', deadwoodA: '11', deadwoodB: '30' }, 422);
    expect(res.text).toMatch(/10 or less \(the knock limit\)/);
    expect(await liveHands()).toHaveLength(0);
  });
});

describe('without JavaScript', () => {
  it('labels the winner choices by seat, never by a name the selects may no longer show', async () => {
    const { alice, bob, c } = await setUp();
    const carol = await makePlayer(t.db, 'Carol');
    const { csrf, html } = await c.formTokens('/hands/new');
    const winnerLabels = [...html.matchAll(/<label class="choice" id="winner-[ab]">[\s\S]*?<span>([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(winnerLabels).toEqual(['Player 1', 'Player 2']);
    // Player 1 changed to Carol in the select, then "Player 1" tapped: Carol won.
    await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(carol.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '5' })
      .expect(303);
    const [row] = await liveHands();
    expect(row).toMatchObject({ player_a_id: carol.id, player_b_id: bob.id, winner_id: carol.id });
    expect(row?.winner_id).not.toBe(alice.id);
    // The same seats on the new-game form.
    const game = await c.agent.get('/games/new').expect(200);
    expect([...game.text.matchAll(/<label class="choice" id="winner-[ab]">[\s\S]*?<span>([^<]*)<\/span>/g)].map((m) => m[1])).toEqual(['Player 1', 'Player 2']);
  });
});

describe('a hand sent to a game that has ended', () => {
  it('says the game is over, with its result and a link, and stores nothing', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    // Two phones hold the scorepad open; one records the winning hand first.
    const late = await c.formTokens(`/games/${gameId}`);
    const { csrf, html } = await c.formTokens(`/games/${gameId}`);
    await c.agent.post(`/games/${gameId}/hands`).type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), outcome: 'gin', winner: 'a', deadwood: '80' }).expect(303);
    expect(await t.db('games').where({ id: gameId }).first()).toMatchObject({ status: 'finished', winner_id: alice.id });
    const before = await liveHands();
    const res = await c.agent
      .post(`/games/${gameId}/hands`)
      .type('form')
      .send({ _csrf: late.csrf, token: hiddenValue(late.html, 'token'), outcome: 'knock', winner: 'b', deadwood: '9' })
      .expect(409);
    expect(res.text).toContain('This game is over, so the hand was not saved.');
    // Gin 25 + 80 = 105, doubled for the shutout, plus the game bonus and one box.
    expect(res.text).toMatch(/Alice won, 335 to 0\. <a href="#final-heading">See the result<\/a>/);
    expect(await liveHands()).toEqual(before);
  });
});

describe('voiding a hand: one tap, with Undo in the confirmation', () => {
  it('voids, offers Undo that works without JavaScript, and Undo restores the same row', async () => {
    const { alice, bob, c } = await setUp();
    const { csrf, html } = await c.formTokens('/hands/new');
    await c.agent.post('/hands').type('form').send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '11' }).expect(303);
    const [hand] = await liveHands();
    const home = await c.agent.get('/').expect(200);
    await c.agent.post(`/hands/${hand!.id}/void`).type('form').send({ _csrf: hiddenValue(home.text, '_csrf') }).expect(303);
    expect((await t.db('hands').where({ id: hand!.id }).first())!.voided_at).not.toBeNull();
    const after = await c.agent.get('/').expect(200);
    expect(after.text).toContain('Hand voided: it no longer counts. (Alice +11 (knock) v Bob)');
    const undo = new RegExp(`<form method="post" action="/hands/${hand!.id}/restore"[^>]*>\\s*<input type="hidden" name="_csrf" value="([^"]+)">\\s*<button[^>]*>Undo</button>`).exec(after.text);
    expect(undo, 'an Undo button in the message').not.toBeNull();
    await c.agent.post(`/hands/${hand!.id}/restore`).type('form').send({ _csrf: undo?.[1] }).expect(303);
    expect((await t.db('hands').where({ id: hand!.id }).first())!.voided_at).toBeNull();
    expect(await liveHands()).toHaveLength(1);
  });

  it('voids a game with Undo in the message, which restores it', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    const page = await c.formTokens(`/games/${gameId}`);
    await c.agent.post(`/games/${gameId}/void`).type('form').send({ _csrf: page.csrf }).expect(303);
    expect((await t.db('games').where({ id: gameId }).first())!.voided_at).not.toBeNull();
    const after = await c.agent.get(`/games/${gameId}`).expect(200);
    expect(after.text).toMatch(new RegExp(`action="/games/${gameId}/restore"[^>]*>\\s*<input type="hidden" name="_csrf" value="[^"]+">\\s*<button[^>]*>Undo</button>`));
    await c.agent.post(`/games/${gameId}/restore`).type('form').send({ _csrf: hiddenValue(after.text, '_csrf') }).expect(303);
    expect((await t.db('games').where({ id: gameId }).first())!.voided_at).toBeNull();
  });
});

describe('forms opened before a change elsewhere', () => {
  it('a hand or game for a player merged into another since the form was opened is refused, not recorded', async () => {
    const { alice, bob, c } = await setUp();
    const { csrf, html } = await c.formTokens('/hands/new');
    const game = await c.formTokens('/games/new');
    const bobby = await makePlayer(t.db, 'Bobby');
    await playerMerge({ db: t.db, fromId: bob.id, intoId: bobby.id });
    const res = await c.agent
      .post('/hands')
      .type('form')
      .send({ _csrf: csrf, token: hiddenValue(html, 'token'), playerA: String(alice.id), playerB: String(bob.id), outcome: 'knock', winner: 'a', deadwood: '5' })
      .expect(422);
    expect(res.text).toMatch(/no longer exists in the league/);
    await c.agent
      .post('/games')
      .type('form')
      .send({ _csrf: game.csrf, token: hiddenValue(game.html, 'token'), playerA: String(alice.id), playerB: String(bob.id), firstDealer: 'a', preset: 'north_american' })
      .expect(422);
    expect(await t.db('hands')).toHaveLength(0);
    expect(await t.db('games')).toHaveLength(0);
  });

  it('the add-player form: a resend adds one player, another name under the same token adds another', async () => {
    const { c } = await setUp();
    const { csrf, html } = await c.formTokens('/players');
    const token = hiddenValue(html, 'token');
    await c.agent.post('/players').type('form').send({ _csrf: csrf, token, name: 'Carol' }).expect(303);
    await c.agent.post('/players').type('form').send({ _csrf: csrf, token, name: 'Carol' }).expect(303);
    await c.agent.post('/players').type('form').send({ _csrf: csrf, token, name: 'Dave' }).expect(303);
    expect((await t.db('players').orderBy('id')).map((p) => p.name)).toEqual(['Alice', 'Bob', 'Carol', 'Dave']);
  });
});

describe('after a refusal', () => {
  it("a refused form's address, reloaded later, leads back to the form instead of a 404", async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    expect((await c.agent.get('/hands').expect(303)).headers.location).toBe('/hands/new');
    for (const path of [`/games/${gameId}/hands`, `/games/${gameId}/rules`]) {
      expect((await c.agent.get(path).expect(303)).headers.location).toBe(`/games/${gameId}`);
    }
  });

  it('lists a message once in the summary, though it stands beside two fields', async () => {
    const { alice, bob, c } = await setUp();
    const gameId = await startGame(c, alice.id, bob.id);
    const res = await scorepadPost(c, gameId, { outcome: 'knock', winner: 'a', deadwoodA: '6', deadwoodB: '18', deadwood: '9' }, 422);
    const summary = /role="alert">([\s\S]*?)<\/div>/.exec(res.text)?.[1] ?? '';
    expect(summary.match(/<li>Disagrees with the difference \(9\)\.<\/li>/g)).toHaveLength(1);
  });
});
