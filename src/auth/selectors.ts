import type { Db } from '../db.js';
import type { Member } from '../http/members.js';
import { sessionIdOf } from './passcode.js';

/**
 * The member a session cookie stands for, or null when the session was ended, opened under
 * another passcode, or never existed. One primary-key read per request with a cookie; the
 * name comes from the players table, so a rename shows at once.
 */
export async function memberSessionGet({ db, token, passcodeFingerprint }: { db: Db; token: string; passcodeFingerprint: string }): Promise<Member | null> {
  const row = await db('member_sessions as s')
    .join('players as p', 'p.id', 's.player_id')
    .where('s.id', sessionIdOf(token))
    .whereNull('s.ended_at')
    .andWhere('s.passcode_fingerprint', passcodeFingerprint)
    .first<{ id: number; name: string } | undefined>('p.id', 'p.name');
  return row ? { playerId: row.id, name: row.name } : null;
}
