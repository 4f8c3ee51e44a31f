import { z } from 'zod';
import { DEADWOOD_MESSAGE, MAX_DEADWOOD, OUTCOMES } from '../scoring/rules.js';
import { idempotencyToken, optionalWholeNumber, recordId, side } from '../core/schemas.js';


export const handFormSchema = z.object({
  playerA: recordId('Choose the first player.'),
  playerB: recordId('Choose the second player.'),
  outcome: z.enum(OUTCOMES, { error: 'Choose how the hand ended.' }),
  winner: side('Choose who won the hand.'),
  deadwood: optionalWholeNumber(0, MAX_DEADWOOD, DEADWOOD_MESSAGE),
  token: idempotencyToken,
});
