/*
 * The pages that must stay short and plain on a phone: the home page with many unfinished
 * games, the list of them with the stale ones and a one-tap abandon (with undo), the
 * players page, the scoring words, Oklahoma's rules form.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp, hiddenValue, signIn, TEST_PASSCODE } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';
import { gameHandRecord, gameStart } from '../../src/games/services.js';

const t = useTestDb();
const DAY = 24 * 60 * 60 * 1000;

async function league(games: number) {
  const alice = await makePlayer(t.db, 'alice');
  const bob = await makePlayer(t.db, 'BOB');
  const ids: number[] = [];
  for (let i = 0; i < games; i++) {
    const { id } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'north_american', idempotencyKey: crypto.randomUUID() });
    ids.push(id);
  }
  return { alice, bob, ids };
}

const continueLinks = (html: string) => [...html.matchAll(/<a class="game-link" href="\/games\/(\d+)">/g)].map((m) => Number(m[1]));

describe('the home page with many unfinished games', () => {
  it('shows the three latest and links to all of them; the list marks the stale ones', async () => {
    const { ids } = await league(6);
    await t.db('games').whereIn('id', ids.slice(0, 2)).update({ created_at: new Date(Date.now() - 20 * DAY) });
    const c = client(createTestApp(t.db));
    const home = await c.agent.get('/').expect(200);
    expect(continueLinks(home.text)).toEqual([ids[5], ids[4], ids[3]]);
    expect(home.text).toContain('<a class="tap" href="/games">All unfinished games (6, 2 stale)</a>');

    const list = await c.agent.get('/games').expect(200);
    const [fresh, stale] = list.text.split('Stale: untouched for 14 days or more (2)');
    expect(continueLinks(fresh ?? '')).toEqual([ids[5], ids[4], ids[3], ids[2]]);
    expect(continueLinks(stale ?? '')).toEqual([ids[1], ids[0]]);
  });

  it('counts days from the last hand, by STALE_GAME_DAYS', async () => {
    const { ids } = await league(2);
    await t.db('games').whereIn('id', ids).update({ created_at: new Date(Date.now() - 10 * DAY) });
    await gameHandRecord({ db: t.db, gameId: ids[1]!, entry: { outcome: 'knock', winner: 'a', difference: 5 }, idempotencyKey: crypto.randomUUID() });
    const list = await client(createTestApp(t.db, { STALE_GAME_DAYS: '3' })).agent.get('/games').expect(200);
    const [fresh, stale] = list.text.split('Stale: untouched for 3 days or more (1)');
    expect(continueLinks(fresh ?? '')).toEqual([ids[1]]);
    expect(continueLinks(stale ?? '')).toEqual([ids[0]]);
    expect(stale).toContain('10 days ago');
  });
});

describe('abandoning a game in one tap', () => {
  it('takes it off the lists, keeps it, logs who did it, and offers an undo that works without JavaScript', async () => {
    const { alice, ids } = await league(2);
    const app = createTestApp(t.db, { LEAGUE_PASSCODE: TEST_PASSCODE });
    const c = client(app);
    const csrf = await signIn(c, alice.id);
    const gameId = ids[0]!;

    const res = await c.agent.post(`/games/${gameId}/abandon?back=/`).type('form').send({ _csrf: csrf }).expect(303);
    expect(res.headers.location).toBe('/');
    const row = await t.db('games').where({ id: gameId }).first();
    expect(row!.abandoned_at).toBeInstanceOf(Date);
    expect(row!.abandoned_by).toBe(alice.id);
    expect(await t.db('activity').where({ action: 'game.abandoned', subject_id: gameId, actor_id: alice.id })).toHaveLength(1);

    const home = await c.agent.get('/').expect(200);
    expect(continueLinks(home.text)).toEqual([ids[1]]);
    expect(home.text).toContain(`Game ${gameId} abandoned`);
    // The undo is a form in the message: a plain POST.
    const undo = new RegExp(`<form method="post" action="(/games/${gameId}/resume\\?back=%2F)"[\\s\\S]*?name="_csrf" value="([^"]+)"[\\s\\S]*?>Undo</button>`).exec(home.text);
    expect(undo).not.toBeNull();
    const page = await c.agent.get(`/games/${gameId}`).expect(200);
    expect(page.text).toContain('This game was abandoned');
    expect(page.text).not.toContain('Save hand');

    await c.agent.post(undo![1]!).type('form').send({ _csrf: undo![2] }).expect(303).expect('location', '/');
    expect(await t.db('games').where({ id: gameId }).first()).toMatchObject({ abandoned_at: null, abandoned_by: null });
    expect(continueLinks((await c.agent.get('/').expect(200)).text).sort()).toEqual([...ids].sort());
    expect(await t.db('activity').where({ action: 'game.resumed', subject_id: gameId, actor_id: alice.id })).toHaveLength(1);
  });

  it('keeps an abandoned game in the activity log, from where it can be taken up again', async () => {
    const { ids } = await league(1);
    const c = client(createTestApp(t.db));
    const { csrf } = await c.formTokens('/games');
    await c.agent.post(`/games/${ids[0]}/abandon`).type('form').send({ _csrf: csrf }).expect(303).expect('location', '/games');
    const log = await c.agent.get('/activity').expect(200);
    expect(log.text).toContain(`abandoned game ${ids[0]}, alice v BOB`);
    expect(log.text).toContain(`action="/games/${ids[0]}/resume?back=/activity"`);
    await c.agent.post(`/games/${ids[0]}/resume?back=/activity`).type('form').send({ _csrf: hiddenValue(log.text, '_csrf') }).expect(303).expect('location', '/activity');
    expect((await t.db('games').where({ id: ids[0] }).first())!.abandoned_at).toBeNull();
    expect((await c.agent.get('/activity')).text).not.toContain('resume?back=/activity');
  });

  it('refuses a finished game with a message and changes nothing; signed-out visitors cannot abandon', async () => {
    const { alice, ids } = await league(1);
    await gameHandRecord({ db: t.db, gameId: ids[0]!, entry: { outcome: 'knock', winner: 'a', difference: 120 }, idempotencyKey: crypto.randomUUID() });
    const app = createTestApp(t.db, { LEAGUE_PASSCODE: TEST_PASSCODE });
    const stranger = client(app);
    const { csrf: strangerCsrf } = await stranger.formTokens('/sign-in');
    await stranger.agent.post(`/games/${ids[0]}/abandon`).type('form').send({ _csrf: strangerCsrf }).expect(401);

    const c = client(app);
    const csrf = await signIn(c, alice.id);
    await c.agent.post(`/games/${ids[0]}/abandon`).type('form').send({ _csrf: csrf }).expect(303).expect('location', '/games');
    expect((await c.agent.get('/games')).text).toContain('This game is finished: there is nothing to abandon.');
    expect((await t.db('games').where({ id: ids[0] }).first())!.abandoned_at).toBeNull();
    expect(await t.db('activity').where({ action: 'game.abandoned' })).toEqual([]);
  });
});

describe('the players page', () => {
  it('is a list of names with rename one tap away (closed), opened with the error after a bad rename', async () => {
    const { alice, bob } = await league(0);
    const c = client(createTestApp(t.db));
    const page = await c.agent.get('/players').expect(200);
    expect(page.text.match(/<details class="rename">/g)).toHaveLength(2);
    expect(page.text).not.toMatch(/<details class="rename" open>/);
    expect(page.text).toContain(`<a class="player-link" href="/players/${alice.id}">alice</a>`);

    const bad = await c.agent.post(`/players/${bob.id}/rename`).type('form').send({ _csrf: hiddenValue(page.text, '_csrf'), name: 'ALICE' }).expect(422);
    expect(bad.text.match(/<details class="rename" open>/g)).toHaveLength(1);
    expect(bad.text).toMatch(new RegExp(`<details class="rename" open>[\\s\\S]*?action="/players/${bob.id}/rename"`));
    expect(bad.text).toContain('value="ALICE"');
    expect((await t.db('players').where({ id: bob.id }).first())!.name).toBe('BOB');
  });
});

describe('scoring words on the page', () => {
  it('explains the line bonus, game bonus, shutout and undercut in words, not only in tooltips', async () => {
    const { alice, bob, ids } = await league(1);
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 12 });
    const c = client(createTestApp(t.db));
    for (const path of ['/', `/games/${ids[0]}`]) {
      const legend = /<details class="scoring-legend[\s\S]*?<\/details>/.exec((await c.agent.get(path).expect(200)).text)?.[0] ?? '';
      for (const term of ['Line bonus', 'Game bonus', 'Shutout', 'Undercut']) expect(legend, `${path}: ${term}`).toContain(`<dt>${term}`);
      expect(legend).toContain('12 + 25 = 37');
    }
  });
});

describe("Oklahoma's rules form", () => {
  it('has no knock limit to edit (the upcard sets it) and saves the other values', async () => {
    const { alice, bob } = await league(0);
    const { id } = await gameStart({ db: t.db, playerAId: alice.id, playerBId: bob.id, firstDealer: 'a', preset: 'oklahoma', idempotencyKey: crypto.randomUUID() });
    const c = client(createTestApp(t.db));
    const page = await c.agent.get(`/games/${id}`).expect(200);
    expect(page.text).toContain('name="target"');
    expect(page.text).not.toContain('name="knockLimit"');
    expect(page.text).toContain('the upcard sets it');
    const values = { ginBonus: '20', bigGinBonus: '', undercutBonus: '20', lineBonus: '20', gameBonus: '100', target: '200' };
    await c.agent.post(`/games/${id}/rules`).type('form').send({ _csrf: hiddenValue(page.text, '_csrf'), ...values }).expect(303);
    expect(await t.db('games').where({ id }).first()).toMatchObject({ target: 200, gin_bonus: 20, knock_limit: 10, oklahoma: true });
  });

  it('still asks for the knock limit under other rules', async () => {
    const { ids } = await league(1);
    const c = client(createTestApp(t.db));
    const page = await c.agent.get(`/games/${ids[0]}`).expect(200);
    expect(page.text).toContain('name="knockLimit"');
    const values = { ginBonus: '20', bigGinBonus: '', undercutBonus: '20', lineBonus: '20', gameBonus: '100', target: '200' };
    const res = await c.agent.post(`/games/${ids[0]}/rules`).type('form').send({ _csrf: hiddenValue(page.text, '_csrf'), ...values }).expect(422);
    expect(res.text).toContain('Knock limit: a whole number from 0 to 10.');
    expect((await t.db('games').where({ id: ids[0] }).first())!.target).toBe(100);
  });
});
