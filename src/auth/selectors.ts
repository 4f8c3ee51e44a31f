import { rawRows, type Db } from '../db.js';
import type { Member } from '../http/members.js';
import { sessionIdOf } from './passcode.js';

const MEMBER_SQL = `select p.id, p.name from member_sessions s join players p on p.id = s.player_id
  where s.id = ? and s.ended_at is null and s.passcode_fingerprint = ?`;

/**
 * The member a session cookie stands for, or null when the session was ended, opened under
 * another passcode, or never existed. One primary-key read per request with a cookie; the
 * name comes from the players table, so a rename shows at once.
 */
export async function memberSessionGet({ db, token, passcodeFingerprint }: { db: Db; token: string; passcodeFingerprint: string }): Promise<Member | null> {
  // Raw SQL: this runs on every signed-in request, and Knex's builder cost more than the read.
  const [row] = await rawRows<{ id: number; name: string }>(db, MEMBER_SQL, [sessionIdOf(token), passcodeFingerprint]);
  return row ? { playerId: row.id, name: row.name } : null;
}

/** How long a session found valid is remembered, at most (a notice lost on the way costs no more). */
export const SESSION_MEMORY_MS = 1000;
const SESSION_MEMORY_SIZE = 5000;

/**
 * `memberSessionGet`, remembered for a moment (issue 17: the read was a fifth of the cost
 * of recording a hand). `generation` says what may be remembered: null when nothing may be
 * (the live feed is not listening), otherwise a number that moves with every committed
 * change to member_sessions or players, whichever process made it (a sign-out, "all my
 * phones", a rename, a merge: migration 20261204120000). A session is taken from memory
 * only under the same number and for SESSION_MEMORY_MS (`rememberMs`, longer in tests that
 * must tell a notice from the time running out); an ended or unknown one is never
 * remembered. A read that overlapped a change is not kept.
 */
export function memberSessionMemory(generation: () => number | null, rememberMs = SESSION_MEMORY_MS) {
  const remembered = new Map<string, { member: Member; generation: number; at: number }>();
  return async (args: { db: Db; token: string; passcodeFingerprint: string; fresh?: boolean }): Promise<Member | null> => {
    const before = generation();
    const kept = remembered.get(args.token);
    if (!args.fresh && kept && before !== null && kept.generation === before && performance.now() - kept.at < rememberMs) return kept.member;
    const member = await memberSessionGet(args);
    remembered.delete(args.token);
    if (member && before !== null && generation() === before) {
      // Full: the oldest go first (a Map keeps the order of insertion).
      for (const token of remembered.keys()) {
        if (remembered.size < SESSION_MEMORY_SIZE) break;
        remembered.delete(token);
      }
      remembered.set(args.token, { member, generation: before, at: performance.now() });
    }
    return member;
  };
}
