import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, TEST_PASSCODE } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { ratingsRecompute } from '../../src/ratings/services.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';
import { handVoid } from '../../src/hands/services.js';

const t = useTestDb();

const ratings = async () => t.db('ratings').orderBy(['hand_id', 'player_id']).select('hand_id', 'player_id', 'played_at', 'before', 'after');
/** The stored ratings, and what a full recompute from nothing gives: they must be equal. */
async function ratingsAndFullRecompute() {
  const stored = await ratings();
  await ratingsRecompute({ db: t.db, from: null });
  return { stored, full: await ratings() };
}
const seats = async () => (await t.db('hands').orderBy('id').select('id', 'player_a_id', 'player_b_id', 'winner_id', 'voided_at')).map((h) => [h.id, h.player_a_id, h.player_b_id, h.winner_id]);

/** A league with a duplicate: Bob, and "Ｂｏｂ" kept from before the name rule, each with hands. */
async function league() {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  const carol = await makePlayer(t.db, 'Carol');
  const [dupe] = await t.db('players').insert({ name: 'Ｂｏｂ', name_key: null }).returning(['id', 'name']);
  const day = (d: number) => new Date(Date.UTC(2026, 9, d, 20));
  await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'b', deadwood: 10, playedAt: day(1) });
  await makeHand(t.db, { playerAId: dupe!.id, playerBId: alice.id, outcome: 'knock', winner: 'a', deadwood: 8, playedAt: day(2) });
  await makeHand(t.db, { playerAId: carol.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 3, playedAt: day(3) });
  const voided = await makeHand(t.db, { playerAId: carol.id, playerBId: dupe!.id, outcome: 'undercut', winner: 'b', deadwood: 2, playedAt: day(4) });
  await handVoid({ db: t.db, id: voided.id });
  await makeHand(t.db, { playerAId: dupe!.id, playerBId: carol.id, outcome: 'draw', playedAt: day(5) });
  await makeHand(t.db, { playerAId: alice.id, playerBId: dupe!.id, outcome: 'big_gin', winner: 'b', deadwood: 0, playedAt: day(6) });
  const { id: gameId } = await gameStart({ db: t.db, playerAId: carol.id, playerBId: dupe!.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
  await gameHandRecord({ db: t.db, gameId, entry: { outcome: 'gin', winner: 'b', difference: 5 }, idempotencyKey: crypto.randomUUID() });
  return { alice, bob, carol, dupe: dupe!, gameId };
}

async function mergePage(c: ReturnType<typeof client>, id: number) {
  return c.formTokens(`/players/${id}/merge`);
}

describe('merging players', () => {
  it('moves every hand, game and rating into the other player; ratings equal a full recompute; undo puts it all back', async () => {
    const { alice, bob, dupe, gameId } = await league();
    const before = { seats: await seats(), ratings: await ratings() };
    const c = client(createTestApp(t.db));

    const player = await c.agent.get(`/players/${dupe.id}`).expect(200);
    expect(player.text).toContain(`href="/players/${dupe.id}/merge"`);
    const { csrf, html } = await mergePage(c, dupe.id);
    expect(html).toContain('4 hands, 1 game)');
    const res = await c.agent.post(`/players/${dupe.id}/merge`).type('form').send({ _csrf: csrf, into: String(bob.id), confirm: 'yes' }).expect(303);
    expect(res.headers.location).toBe(`/players/${bob.id}`);

    // Every hand and game of the duplicate is Bob's now, voided ones included.
    const handsOfDupe = await t.db('hands').where((w) => {
      w.where('player_a_id', dupe.id).orWhere('player_b_id', dupe.id).orWhere('winner_id', dupe.id);
    });
    expect(handsOfDupe).toEqual([]);
    expect(await t.db('games').where({ id: gameId }).first('player_b_id')).toEqual({ player_b_id: bob.id });
    expect(await t.db('ratings').where({ player_id: dupe.id })).toEqual([]);
    const merged = await ratingsAndFullRecompute();
    expect(merged.stored).toEqual(merged.full);
    expect(merged.stored).not.toEqual(before.ratings);

    // One Bob on the leaderboard, with all the hands; the duplicate's page leads to Bob.
    const board = await c.agent.get('/').expect(200);
    expect(board.text.match(/>Ｂｏｂ</g)).toBeNull();
    await c.agent.get(`/players/${dupe.id}`).expect(303).expect('Location', `/players/${bob.id}`);
    expect((await c.agent.get(`/players/${bob.id}`)).text).toMatch(/hands-won">\d+ \/ 6</);
    expect((await c.agent.get('/players')).text).not.toContain('Look-alike');

    // The log has it, with a way back.
    const log = await c.agent.get('/activity');
    expect(log.text).toContain('merged Ｂｏｂ into Bob (5 hands and 1 game moved)');
    const undo = /action="(\/merges\/\d+\/undo)"[\s\S]*?Undo this merge/.exec(log.text)?.[1];
    expect(undo).toBeDefined();
    const tokens = await c.formTokens('/activity');
    await c.agent.post(undo!).type('form').send({ _csrf: tokens.csrf }).expect(303);
    expect((await c.agent.get('/activity')).text).toContain('Merge undone: Ｂｏｂ is back, with their hands and games.');

    expect(await seats()).toEqual(before.seats);
    const undone = await ratingsAndFullRecompute();
    expect(undone.stored).toEqual(undone.full);
    expect(undone.stored).toEqual(before.ratings);
    expect(await t.db('players').where({ id: dupe.id }).first('merged_into_id', 'name_key')).toEqual({ merged_into_id: null, name_key: null });
    expect((await c.agent.get('/players')).text).toContain('Look-alike');
    await c.agent.get(`/players/${dupe.id}`).expect(200);
    // Twice is refused, and changes nothing.
    await c.agent.post(undo!).type('form').send({ _csrf: tokens.csrf }).expect(303);
    expect((await c.agent.get('/activity')).text).toContain('That merge was already undone.');
    expect(await seats()).toEqual(before.seats);
    void alice;
  });

  it('hands the key to the player kept, when the one merged away held it', async () => {
    const { bob, dupe } = await league();
    const c = client(createTestApp(t.db));
    const { csrf } = await mergePage(c, bob.id);
    await c.agent.post(`/players/${bob.id}/merge`).type('form').send({ _csrf: csrf, into: String(dupe.id), confirm: 'yes' }).expect(303);
    expect(await t.db('players').orderBy('id').whereIn('id', [bob.id, dupe.id]).select('id', 'name_key', 'merged_into_id')).toEqual([
      { id: bob.id, name_key: null, merged_into_id: dupe.id },
      { id: dupe.id, name_key: 'bob', merged_into_id: null },
    ]);
    const merged = await ratingsAndFullRecompute();
    expect(merged.stored).toEqual(merged.full);
    // A new "bob" is still refused: it is Ｂｏｂ now.
    const page = await c.formTokens('/players');
    const res = await c.agent.post('/players').type('form').send({ _csrf: page.csrf, token: crypto.randomBytes(18).toString('base64url'), name: 'BOB' }).expect(422);
    expect(res.text).toContain('There is already a player called Ｂｏｂ.');
  });

  it('needs a confirmation, and another player', async () => {
    const { bob, dupe } = await league();
    const before = await seats();
    const c = client(createTestApp(t.db));
    const { csrf } = await mergePage(c, dupe.id);
    const unconfirmed = await c.agent.post(`/players/${dupe.id}/merge`).type('form').send({ _csrf: csrf, into: String(bob.id) }).expect(422);
    expect(unconfirmed.text).toContain('Tick the box to confirm the merge.');
    expect(unconfirmed.text).toMatch(new RegExp(`<option value="${bob.id}" selected>Bob</option>`));
    const self = await c.agent.post(`/players/${dupe.id}/merge`).type('form').send({ _csrf: csrf, into: String(dupe.id), confirm: 'yes' }).expect(422);
    expect(self.text).toContain('Choose another player.');
    const nobody = await c.agent.post(`/players/${dupe.id}/merge`).type('form').send({ _csrf: csrf, into: '99999', confirm: 'yes' }).expect(422);
    expect(nobody.text).toContain('that one is not in the league');
    await c.agent.post('/players/99999/merge').type('form').send({ _csrf: csrf, into: String(bob.id), confirm: 'yes' }).expect(404);
    expect(await seats()).toEqual(before);
    expect(await t.db('merges')).toEqual([]);
  });

  it('refuses to merge two players who have played each other', async () => {
    const { alice, bob } = await league();
    const before = await seats();
    const c = client(createTestApp(t.db));
    const { csrf } = await mergePage(c, alice.id);
    const res = await c.agent.post(`/players/${alice.id}/merge`).type('form').send({ _csrf: csrf, into: String(bob.id), confirm: 'yes' }).expect(422);
    expect(res.text).toContain('Alice and Bob have played each other, so they are two people');
    expect(await seats()).toEqual(before);
  });

  it('takes the merged player off the sign-in list, and refuses signing in as them', async () => {
    const { bob, dupe } = await league();
    const c = client(createTestApp(t.db));
    const { csrf } = await mergePage(c, dupe.id);
    await c.agent.post(`/players/${dupe.id}/merge`).type('form').send({ _csrf: csrf, into: String(bob.id), confirm: 'yes' }).expect(303);
    const member = client(createTestApp(t.db, { LEAGUE_PASSCODE: TEST_PASSCODE }));
    const page = await member.formTokens('/sign-in');
    expect(page.html).not.toContain('Ｂｏｂ');
    const res = await member.agent.post('/sign-in').type('form').send({ _csrf: page.csrf, passcode: TEST_PASSCODE, who: String(dupe.id) }).expect(422);
    expect(res.text).toContain('Choose who you are from the list.');
  });
});
