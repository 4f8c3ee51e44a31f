import type { Db } from '../db.js';
import { ApplicationError } from '../core/errors.js';
import { playerCreate } from '../players/services.js';
import type { Member } from '../http/members.js';
import { passcodeMatches } from './passcode.js';

/**
 * Checks the passcode and who the member says they are: an existing player, or a new one
 * added on the spot (the first sign-in of a new league). Returns who signed in.
 */
export async function memberSignIn({
  db,
  expectedPasscode,
  passcode,
  playerId,
  newName,
  idempotencyKey,
}: {
  db: Db;
  expectedPasscode: string | null;
  passcode: string;
  playerId: number | null;
  newName?: string;
  idempotencyKey?: string;
}): Promise<Member> {
  if (expectedPasscode !== null && !passcodeMatches(expectedPasscode, passcode)) {
    throw new ApplicationError('That passcode is not right.', { fields: { passcode: 'That passcode is not right. Ask the others for it.' } });
  }
  if (playerId === null) {
    if (!newName) throw new ApplicationError('Enter your name.', { fields: { newName: 'Enter your name.' } });
    try {
      const player = await playerCreate({ db, name: newName, idempotencyKey });
      return { playerId: player.id, name: player.name };
    } catch (err) {
      if (err instanceof ApplicationError && err.fields.name) {
        throw new ApplicationError(err.message, { fields: { newName: `${err.fields.name} If that is you, choose your name from the list.` } });
      }
      throw err;
    }
  }
  // A player merged into another is no longer someone to sign in as.
  const player = await db('players').where({ id: playerId }).whereNull('merged_into_id').first('id', 'name');
  if (!player) throw new ApplicationError('Choose who you are.', { fields: { who: 'Choose who you are from the list.' } });
  return { playerId: player.id, name: player.name };
}
