import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestDb } from '../support/db.js';
import { client, createTestApp } from '../support/app.js';
import { makeHand, makePlayer } from '../support/factories.js';

const t = useTestDb();
type Backup = Record<string, unknown> & { players: Record<string, unknown>[]; hands: Record<string, unknown>[]; games: Record<string, unknown>[]; activity: Record<string, unknown>[] };

const TABLES = ['players', 'games', 'hands', 'activity', 'imports', 'merges', 'ratings'] as const;
const rowCounts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (tb): Promise<[string, number]> => [tb, Number((await t.db(tb).count({ n: '*' }))[0]?.n)])));
const EMPTY = Object.fromEntries(TABLES.map((tb) => [tb, 0]));

/** A real backup of a small league, taken through the app; the league is then emptied. */
async function takeBackup(): Promise<Backup> {
  const alice = await makePlayer(t.db, 'Alice');
  const bob = await makePlayer(t.db, 'Bob');
  await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'gin', winner: 'a', deadwood: 4 });
  await makeHand(t.db, { playerAId: alice.id, playerBId: bob.id, outcome: 'knock', winner: 'b', deadwood: 7 });
  const backup = JSON.parse((await request(createTestApp(t.db)).get('/export/league.json').expect(200)).text) as Backup;
  await t.testDb.reset();
  return backup;
}

async function restore(body: unknown) {
  const c = client(createTestApp(t.db));
  const { csrf } = await c.formTokens('/export');
  return c.agent.post(`/import/backup?_csrf=${encodeURIComponent(csrf)}`).attach('file', Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), 'league.json');
}

describe('restoring a backup checks the whole file first', () => {
  it('restores a good backup', async () => {
    const backup = await takeBackup();
    const res = await restore(backup);
    expect(res.status).toBe(303);
    expect(await rowCounts()).toMatchObject({ players: 2, hands: 2, ratings: 4 });
  });

  it('restores a backup from before imports and merges could be undone', async () => {
    const old = await takeBackup();
    delete old.imports;
    delete old.merges;
    for (const p of old.players) {
      delete p.name_key;
      delete p.merged_into_id;
    }
    for (const h of old.hands) delete h.import_id;
    expect((await restore(old)).status).toBe(303);
    expect(await t.db('players').orderBy('id').select('name', 'name_key')).toEqual([
      { name: 'Alice', name_key: 'alice' },
      { name: 'Bob', name_key: 'bob' },
    ]);
  });

  it.each<[string, (b: Backup) => void, RegExp]>([
    ['an unknown column', (b) => void (b.players[0]!.colour = 'red'), /players\[0\] \(id \d+\): unknown column "colour"/],
    ['a bad date', (b) => void (b.hands[1]!.played_at = '2026-13-45 25:00'), /hands\[1\] \(id \d+\): played_at is "2026-13-45 25:00", not a date and time/],
    ['a date that is not a string', (b) => void (b.hands[0]!.played_at = 1234), /hands\[0\] \(id \d+\): played_at is 1234, not a date and time/],
    ['a bad reference', (b) => void (b.hands[0]!.player_b_id = 999), /hands\[0\] \(id \d+\): player_b_id 999 is not a row of players in the file/],
    ['duplicate ids', (b) => void (b.players[1]!.id = b.players[0]!.id), /players\[1\] \(id \d+\): id \d+ appears twice/],
    ['a missing required value', (b) => void delete b.hands[0]!.outcome, /hands\[0\] \(id \d+\): outcome is missing/],
    ['a null required value', (b) => void (b.hands[0]!.points = null), /hands\[0\] \(id \d+\): points is missing/],
    ['a NUL in a name', (b) => void (b.players[0]!.name = 'Al\u0000ice'), /players\[0\] \(id \d+\): name holds a NUL character/],
    ['a right-to-left override in a name', (b) => void (b.players[0]!.name = '\u202Eecila'), /players\[0\] \(id \d+\): name "\\u\{202e\}ecila": A name cannot contain invisible formatting characters/],
    ['a name over 40 characters', (b) => void (b.players[0]!.name = 'x'.repeat(41)), /players\[0\] \(id \d+\): name is longer than 40 characters/],
    ['a javascript: link', (b) => void b.activity.push({ ...b.activity[0], id: 999, link: 'javascript:alert(1)' }), /activity\[\d+\] \(id 999\): link "javascript:alert\(1\)" is not a path inside the app/],
    ['an off-site link', (b) => void (b.activity[0]!.link = '//evil.example/x'), /activity\[0\] \(id \d+\): link "\/\/evil.example\/x" is not a path inside the app/],
    ['a full off-site URL', (b) => void (b.activity[0]!.link = 'https://evil.example/'), /is not a path inside the app/],
    ['a player playing themselves', (b) => void (b.hands[0]!.player_b_id = b.hands[0]!.player_a_id), /hands\[0\] \(id \d+\): a player cannot play themselves/],
    ['an unknown outcome', (b) => void (b.hands[0]!.outcome = 'schneider'), /outcome "schneider" is not one of/],
    ['a winner who did not play', (b) => void (b.hands[0]!.winner_id = 12345), /winner_id 12345 is not a row of players/],
    ['a table that is not a list', (b) => void (b.hands = {} as never), /"hands" is not a list of rows/],
    ['a row that is not an object', (b) => void (b.players = [1, 2] as never), /"players" holds something that is not a row/],
    ['a number where text belongs', (b) => void (b.players[0]!.name = 42), /players\[0\] \(id \d+\): name is 42, not text/],
    ['a fraction where an id belongs', (b) => void (b.hands[0]!.id = 1.5), /hands\[0\]: id is 1.5, not a positive whole number/],
    ['a duplicate one-time key', (b) => void (b.hands[1]!.idempotency_key = b.hands[0]!.idempotency_key), /the database refused it \(hands_idempotency_key_unique\)/],
  ])('answers %s with a 422 naming the entry, and writes nothing', async (_name, spoil, message) => {
    const backup = await takeBackup();
    spoil(backup);
    const res = await restore(backup);
    expect(res.status).toBe(422);
    const text = res.text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#92;/g, '\\');
    expect(text).not.toContain('..');
    expect(text).toMatch(message);
    expect(res.text).toContain('Nothing was changed.');
    expect(await rowCounts()).toEqual(EMPTY);
  });

  it('names the first few of many problems, and how many more', async () => {
    const backup = await takeBackup();
    for (let i = 0; i < 8; i++) backup.activity.push({ ...backup.activity[0], id: 1000 + i, link: `https://evil.example/${i}` });
    const res = await restore(backup);
    expect(res.status).toBe(422);
    expect(res.text).toContain('That backup cannot be restored: 8 problems:');
    expect(res.text).toContain('(id 1000)');
    expect(res.text).toContain('(id 1004)');
    expect(res.text).not.toContain('(id 1005)');
    expect(res.text).toContain('(and 3 more)');
    expect(await rowCounts()).toEqual(EMPTY);
  });

  it('keeps serving after every refusal', async () => {
    await restore('{"format":"gin-rummy-leaderboard","version":1,"players":[{"id":1,"name":"A","created_at":"x"}],"games":[],"hands":[],"activity":[]}');
    await request(createTestApp(t.db)).get('/healthz').expect(200);
  });
});
