import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();

describe('page data memoised by the league version', () => {
  it('never serves data older than the database, whoever wrote it', async () => {
    const alice = await makePlayer(t.db, 'Alice');
    const bob = await makePlayer(t.db, 'Bob');
    const one = createTestApp(t.db);
    const two = createTestApp(t.db);
    const before = (await t.db('league_version').first())!.version;
    expect((await request(one).get('/')).text).toContain('No hands yet');
    expect((await request(two).get(`/players/${alice.id}`)).text).toContain('Alice has no hands');

    // A write that goes around both apps' caches entirely.
    await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 3 });
    expect(Number((await t.db('league_version').first())!.version)).toBeGreaterThan(Number(before));
    expect((await request(one).get('/')).text).toContain('<strong>Alice</strong> +28');
    expect((await request(two).get(`/players/${alice.id}`)).text).toMatch(/hands-won">1 \/ 1</);

    // A rename reaches the cached pages too.
    await t.db('players').where({ id: bob.id }).update({ name: 'Robert' });
    expect((await request(one).get('/')).text).toContain('Robert');
    expect((await request(one).get('/records')).text).toContain('Alice');
  });
});
