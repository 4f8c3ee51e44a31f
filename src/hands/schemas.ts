import { z } from 'zod';
import { MAX_DEADWOOD, OUTCOMES } from '../scoring/rules.js';
import { idempotencyToken, optionalWholeNumber, recordId, side } from '../core/schemas.js';

export const DEADWOOD_MESSAGE = `Enter the deadwood difference as a whole number from 0 to ${MAX_DEADWOOD}.`;

export const handFormSchema = z.object({
  playerA: recordId('Choose the first player.'),
  playerB: recordId('Choose the second player.'),
  outcome: z.enum(OUTCOMES, { error: 'Choose how the hand ended.' }),
  winner: side('Choose who won the hand.'),
  deadwood: optionalWholeNumber(0, MAX_DEADWOOD, DEADWOOD_MESSAGE),
  token: idempotencyToken,
});
