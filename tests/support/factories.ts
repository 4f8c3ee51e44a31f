import crypto from 'node:crypto';
import type { Db } from '../../src/db.js';
import { playerCreate, type Player } from '../../src/players/services.js';
import { handRecord, type HandRecordInput } from '../../src/hands/services.js';
import { NORTH_AMERICAN } from '../../src/scoring/rules.js';

let counter = 0;

export async function makePlayer(db: Db, name = `Player ${++counter}`): Promise<Player> {
  return playerCreate({ db, name });
}

export async function makeHand(
  db: Db,
  fields: Omit<HandRecordInput, 'db' | 'rules' | 'idempotencyKey'> & Partial<Pick<HandRecordInput, 'rules' | 'idempotencyKey'>>,
) {
  return handRecord({ rules: NORTH_AMERICAN, idempotencyKey: crypto.randomUUID(), ...fields, db });
}
