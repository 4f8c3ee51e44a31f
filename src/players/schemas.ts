import { z } from 'zod';
import { idempotencyToken, playerNameSchema, recordId } from '../core/schemas.js';

export { playerName, playerNameSchema } from '../core/schemas.js';

export const idParamSchema = z.object({ id: recordId('No such record.') });

export const playerCreateSchema = playerNameSchema.extend({ token: idempotencyToken });

export const playerMergeSchema = z.object({
  into: recordId('Choose the player to merge into.'),
  confirm: z.literal('yes', { error: 'Tick the box to confirm the merge.' }),
});
