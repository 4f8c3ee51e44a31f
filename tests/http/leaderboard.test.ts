import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

describe('GET /', () => {
  it('tells a new league to add players', async () => {
    const res = await request(createTestApp(t.db)).get('/').expect(200);
    expect(res.text).toContain('No players yet');
    expect(res.text).toContain('Each finished month');
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('tells a league with players to record the first hand', async () => {
    await makePlayer(t.db, 'Alice');
    await makePlayer(t.db, 'Bob');
    const res = await request(createTestApp(t.db)).get('/').expect(200);
    expect(res.text).toContain('No hands yet');
    expect(res.text).toContain('Record the first one');
  });

  it('shows the month view, the recent hands in the league time zone and the hall of fame', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 2, playedAt: new Date('2025-03-14T23:30:00Z') });
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 9, playedAt: new Date('2025-04-02T19:00:00Z') });
    const app = createTestApp(t.db, { LEAGUE_TIME_ZONE: 'Europe/Berlin' });

    const all = await request(app).get('/').expect(200);
    expect(all.text).toContain('href="/?month=2025-03"');
    expect(all.text).toContain('15 Mar, 00:30'); // 23:30 UTC is past midnight in Berlin
    expect(all.text).toMatch(/Hall of fame[\s\S]*March 2025[\s\S]*Alice[\s\S]*\+52/);

    const march = await request(app).get('/?month=2025-03').expect(200);
    expect(march.text).toContain('<h1 class="title is-4 mb-0">March 2025</h1>');
    expect(march.text).toMatch(/<th scope="row"><a[^>]*>Alice<\/a><\/th>\s*<td[^>]*>1<\/td>/);
    expect(march.text).toMatch(/<th scope="row"><a[^>]*>Bob<\/a><\/th>\s*<td[^>]*>1<\/td>\s*<td[^>]*>0<\/td>/);

    const empty = await request(app).get('/?month=2024-01').expect(200);
    expect(empty.text).toContain('No hands were played in January 2024');
  });

  it('filters by year and orders by rating on request', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 90, playedAt: new Date('2024-06-01T20:00:00Z') });
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 2, playedAt: new Date('2025-06-01T20:00:00Z') });
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 2, playedAt: new Date('2025-07-01T20:00:00Z') });
    const app = createTestApp(t.db);
    const year = await request(app).get('/?year=2025').expect(200);
    expect(year.text).toContain('<h1 class="title is-4 mb-0">2025</h1>');
    expect(year.text).toMatch(/Alice<\/a><\/th>\s*<td[^>]*>2<\/td>\s*<td[^>]*>2<\/td>/);
    expect(year.text).toContain('href="/?year=2024"');
    const total = await request(app).get('/').expect(200);
    expect(total.text).toMatch(/standings[\s\S]*?<tbody>\s*<tr>\s*<td>1<\/td>\s*<th scope="row"><a[^>]*>Bob/);
    const byRating = await request(app).get('/?order=rating').expect(200);
    expect(byRating.text).toContain('<abbr title="Elo rating">Elo</abbr>');
    // Alice won the last two hands, so she leads on rating though Bob leads on total.
    expect(byRating.text).toMatch(/standings[\s\S]*?<tbody>\s*<tr>\s*<td>1<\/td>\s*<th scope="row"><a[^>]*>Alice/);
    expect(byRating.text).toContain('href="/?year=2025&amp;order=rating"');
  });

  it('with one player, says a hand needs two and links to adding the other', async () => {
    await makePlayer(t.db, 'Alice');
    const page = (await request(createTestApp(t.db)).get('/').expect(200)).text;
    expect(page).toContain('No hands yet. A hand needs two players: <a href="/players">add the other player</a>');
  });

  it('by rating, puts players who have not played yet (still at the starting rating) last', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    await makePlayer(t.db, 'Aaron');
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 5 });
    const page = (await request(createTestApp(t.db)).get('/?order=rating').expect(200)).text;
    const standings = page.slice(page.indexOf('standings'));
    const order = ['Bob', 'Alice', 'Aaron'].map((name) => standings.indexOf(`>${name}</a>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });

  it.each(['?year=20x', '?year=2025&month=2025-01', '?order=shoe'])('answers 400 for %s', async (q) => {
    await request(createTestApp(t.db)).get(`/${q}`).expect(400);
  });

  it.each(['2026-13', 'november', '2026-1', "2026-11' or 1=1"])('answers 400 for the month %s', async (month) => {
    const res = await request(createTestApp(t.db)).get('/').query({ month }).expect(400);
    expect(res.text).toContain('Months look like 2026-11, years like 2026');
  });
});
