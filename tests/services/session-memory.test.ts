/*
 * memberSessionMemory (src/auth/selectors.ts): what it remembers, for how long, and when it
 * must read the row instead. The real database; the generation is a plain number here,
 * moved by hand where the live feed would move it.
 */
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../support/db.js';
import { makePlayer } from '../support/factories.js';
import { countQueries, SESSION_READ } from '../support/queries.js';
import { memberSessionMemory, SESSION_MEMORY_MS } from '../../src/auth/selectors.js';
import { memberSignIn } from '../../src/auth/services.js';
import { passcodeFingerprint } from '../../src/auth/passcode.js';
import type { Db } from '../../src/db.js';

const t = useTestDb();
const FINGERPRINT = passcodeFingerprint('a-secret-key-for-the-session-memory-test', 'pass');

const sessionReads = (db: Db) => countQueries(db, SESSION_READ);

async function member(name = 'Alice') {
  const player = await makePlayer(t.db, name);
  const { token } = await memberSignIn({ db: t.db, playerId: player.id, passcodeFingerprint: FINGERPRINT });
  return { player, token, args: { db: t.db, token, passcodeFingerprint: FINGERPRINT } };
}

describe('a remembered member session', () => {
  it('is read once while the generation stands, and gives the same member', async () => {
    const { player, args } = await member();
    const get = memberSessionMemory(() => 7);
    const reads = sessionReads(t.db);
    const started = Date.now();
    for (let i = 0; i < 10; i++) expect(await get(args)).toEqual({ playerId: player.id, name: 'Alice' });
    // One read, and one more for each time the memory ran out on a slow machine.
    expect(reads.n).toBeGreaterThanOrEqual(1);
    expect(reads.n).toBeLessThanOrEqual(1 + Math.floor((Date.now() - started) / SESSION_MEMORY_MS));
  });

  it('is read every time when nothing may be remembered, or when the request must see its own write', async () => {
    const { args } = await member();
    const get = memberSessionMemory(() => null);
    const reads = sessionReads(t.db);
    for (let i = 0; i < 3; i++) await get(args);
    expect(reads.n).toBe(3);
    const standing = memberSessionMemory(() => 1, 60_000);
    await standing(args);
    await standing({ ...args, fresh: true });
    await standing({ ...args, fresh: true });
    expect(reads.n).toBe(6);
  });

  it('is read again once the generation moves, and an ended session is never remembered', async () => {
    const { args } = await member();
    let generation = 1;
    // Remembered for a minute here: what ends it below is the generation, not the time.
    const get = memberSessionMemory(() => generation, 60_000);
    expect(await get(args)).not.toBeNull();
    await t.db('member_sessions').update({ ended_at: t.db.fn.now() });
    // Until the change is announced, the memory stands (for at most SESSION_MEMORY_MS)...
    expect(await get(args)).not.toBeNull();
    generation++;
    // ...and once it is, the row is read: ended.
    const reads = sessionReads(t.db);
    expect(await get(args)).toBeNull();
    expect(await get(args)).toBeNull();
    expect(reads.n).toBe(2);
  });

  it('does not keep a read that overlapped a change', async () => {
    const { args } = await member();
    let generation = 1;
    const get = memberSessionMemory(() => generation, 60_000);
    const reads = sessionReads(t.db);
    // The generation moves once, while the row is being read (a rename announced meanwhile).
    t.db.once('query', () => generation++);
    await get(args);
    // Not kept: read again, and kept this time (nothing moved during that read).
    await get(args);
    await get(args);
    expect(reads.n).toBe(2);
    expect(generation).toBe(2);
  });

  it('is read again once its time is up, whatever was announced', async () => {
    const { args } = await member();
    // 200 ms here rather than the app's SESSION_MEMORY_MS: the same rule, a shorter wait.
    const get = memberSessionMemory(() => 1, 200);
    const reads = sessionReads(t.db);
    const started = performance.now();
    await get(args);
    await get(args);
    // Read once, unless this slow machine took the whole 200 ms between the two.
    expect(reads.n).toBe(performance.now() - started < 200 ? 1 : 2);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const before = reads.n;
    await get(args);
    expect(reads.n).toBe(before + 1);
  });
});
