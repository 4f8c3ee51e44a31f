import { rawRow, type Db } from '../db.js';
import { ApplicationError } from '../core/errors.js';
import { playerCreate } from '../players/services.js';
import type { Member } from '../core/member.js';
import { passcodeMatches, sessionIdOf, sessionTokenNew } from './passcode.js';

/**
 * Says who the member is — an existing player, or a new one added on the spot (the first
 * sign-in of a new league) — and opens a session for them on this phone. The passcode has
 * been checked before (passcodeCheck). Returns who signed in and the token for the cookie.
 */
export async function memberSignIn({
  db,
  playerId,
  newName,
  idempotencyKey,
  passcodeFingerprint,
}: {
  db: Db;
  playerId: number | null;
  newName?: string;
  idempotencyKey?: string;
  passcodeFingerprint: string;
}): Promise<{ member: Member; token: string }> {
  let member: Member;
  if (playerId === null) {
    if (!newName) throw new ApplicationError('Enter your name.', { fields: { newName: 'Enter your name.' } });
    try {
      const player = await playerCreate({ db, name: newName, idempotencyKey, joining: true });
      member = { playerId: player.id, name: player.name };
    } catch (err) {
      if (err instanceof ApplicationError && err.fields.name) {
        throw new ApplicationError(err.message, { fields: { newName: `${err.fields.name} If that is you, choose your name from the list.` } });
      }
      throw err;
    }
  } else {
    // A player merged into another is no longer someone to sign in as.
    const player = await db('players').where({ id: playerId }).whereNull('merged_into_id').first('id', 'name');
    if (!player) throw new ApplicationError('Choose who you are.', { fields: { who: 'Choose who you are from the list.' } });
    member = { playerId: player.id, name: player.name };
  }
  const token = sessionTokenNew();
  await db('member_sessions').insert({ id: sessionIdOf(token), player_id: member.playerId, passcode_fingerprint: passcodeFingerprint });
  return { member, token };
}

/** Ends one session: every copy of its cookie is signed out. */
export async function memberSignOut({ db, token }: { db: Db; token: string }): Promise<void> {
  await db('member_sessions').where({ id: sessionIdOf(token) }).whereNull('ended_at').update({ ended_at: db.fn.now() });
}

/** "Sign out all my phones": ends every session of the player. Returns how many were open. */
export async function memberSignOutEverywhere({ db, playerId }: { db: Db; playerId: number }): Promise<number> {
  return db('member_sessions').where({ player_id: playerId }).whereNull('ended_at').update({ ended_at: db.fn.now() });
}

export interface SignInLimit {
  /** A rate_limits key: one per address, one for the whole league. */
  key: string;
  limit: number;
}

/**
 * Checks a typed passcode under the sign-in limits, and counts it only if it is wrong.
 * The limits' rows are locked (in one order, so two processes cannot deadlock) from the
 * check to the count: attempts sent at the same moment are judged one after the other, so
 * neither a burst of guesses slips past the limit nor a burst of right passcodes uses it up.
 * A blocked attempt is not judged and not counted.
 */
export async function passcodeCheck({
  db,
  expected,
  given,
  limits,
  windowMs,
}: {
  db: Db;
  expected: string;
  given: string;
  limits: SignInLimit[];
  windowMs: number;
}): Promise<{ result: 'right' | 'wrong' } | { result: 'blocked'; by: SignInLimit }> {
  const ordered = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return db.transaction(async (trx) => {
    for (const limit of ordered) {
      // Creates the row, or starts a new window when the old one is over; either way the
      // row stays locked until this transaction ends.
      const { hits } = await rawRow<{ hits: number }>(
        trx,
        `insert into rate_limits (key, hits, reset_at)
           values (?, 0, now() + (? * interval '1 millisecond'))
         on conflict (key) do update set
           hits = case when rate_limits.reset_at <= now() then 0 else rate_limits.hits end,
           reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
         returning hits`,
        [limit.key, windowMs],
      );
      if (hits >= limit.limit) return { result: 'blocked' as const, by: limit };
    }
    if (passcodeMatches(expected, given)) return { result: 'right' as const };
    await trx('rate_limits')
      .whereIn(
        'key',
        ordered.map((l) => l.key),
      )
      .increment('hits', 1);
    return { result: 'wrong' as const };
  });
}
