import { z } from 'zod';
import { idempotencyToken, recordId } from '../core/schemas.js';
import { playerNameCheck } from './name.js';

/** A typed name, checked by the one identity rule (src/players/name.ts); gives the stored form. */
export const playerName = z.string({ error: 'Enter a name.' }).transform((raw, ctx) => {
  const r = playerNameCheck(raw);
  if (r.ok) return r.name;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
});

export const playerNameSchema = z.object({ name: playerName });

export const idParamSchema = z.object({ id: recordId('No such record.') });

export const playerCreateSchema = playerNameSchema.extend({ token: idempotencyToken });

export const playerMergeSchema = z.object({
  into: recordId('Choose the player to merge into.'),
  confirm: z.literal('yes', { error: 'Tick the box to confirm the merge.' }),
});
