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
