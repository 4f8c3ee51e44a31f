import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

async function league() {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 5, playedAt: new Date('2026-09-10T20:00:00Z') });
  await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 8, playedAt: new Date('2026-10-10T20:00:00Z') });
  await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'a', deadwood: 12, playedAt: new Date('2026-10-11T20:00:00Z') });
  return { alice, bob };
}

describe('player pages', () => {
  it('show the record, the streaks, the form and two charts with their data tables', async () => {
    const { alice, bob } = await league();
    const res = await request(createTestApp(t.db)).get(`/players/${alice.id}`).expect(200);
    expect(res.text).toContain('<h1 class="title is-4 mb-2">Alice</h1>');
    expect(res.text).toMatch(/class="title is-5 hands-won">2 \/ 3</);
    expect(res.text).toMatch(/class="title is-5 streak">1 now</);
    expect(res.text.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(res.text).toContain('Alice: points over time: the data');
    expect(res.text).toMatch(/<td>2026-10-11<\/td><td class="has-text-right">42<\/td>/);
    expect(res.text).toContain(`href="/head-to-head/${alice.id}/${bob.id}"`);
    expect(res.text).toMatch(/Elo rating <strong class="rating">\d{4}<\/strong>/);
  });

  it('filter by period, with an empty state', async () => {
    const { alice } = await league();
    const app = createTestApp(t.db);
    const oct = await request(app).get(`/players/${alice.id}?month=2026-10`).expect(200);
    expect(oct.text).toMatch(/hands-won">1 \/ 2</);
    expect(oct.text).toContain('showing October 2026');
    const none = await request(app).get(`/players/${alice.id}?year=2020`).expect(200);
    expect(none.text).toContain('Alice has no hands in 2020 yet.');
    await request(app).get(`/players/${alice.id}?month=2026-13`).expect(400);
  });

  it.each(['999999', 'abc', '0'])('answer 404 for player %s', async (id) => {
    await request(createTestApp(t.db)).get(`/players/${id}`).expect(404);
  });
});

describe('head-to-head pages', () => {
  it('show the record, the running lead and months', async () => {
    const { alice, bob } = await league();
    const res = await request(createTestApp(t.db)).get(`/head-to-head/${alice.id}/${bob.id}`).expect(200);
    expect(res.text).toMatch(/class="title is-3 wins-a">2</);
    expect(res.text).toMatch(/class="title is-3 wins-b">1</);
    expect(res.text).toContain('Running lead of Alice over Bob');
    expect(res.text).toContain('class="chart-zero"') ;
    expect(res.text).toContain('October 2026');
    const sept = await request(createTestApp(t.db)).get(`/head-to-head/${alice.id}/${bob.id}?month=2026-09`).expect(200);
    expect(sept.text).toMatch(/wins-b">0</);
  });

  it('answer 404 for a player against themselves or a stranger', async () => {
    const { alice } = await league();
    await request(createTestApp(t.db)).get(`/head-to-head/${alice.id}/${alice.id}`).expect(404);
    await request(createTestApp(t.db)).get(`/head-to-head/${alice.id}/777777`).expect(404);
  });
});

describe('records page', () => {
  it('names the holders, or says nobody yet', async () => {
    const empty = await request(createTestApp(t.db)).get('/records').expect(200);
    expect(empty.text).toContain('Nobody yet.');
    const { alice } = await league();
    const res = await request(createTestApp(t.db)).get('/records').expect(200);
    expect(res.text).toMatch(new RegExp(`Biggest hand</dt>\\s*<dd><span class="title is-4">30</span> <a href="/players/${alice.id}">Alice</a>`));
  });
});
