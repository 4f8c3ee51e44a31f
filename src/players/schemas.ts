import { z } from 'zod';
import { idempotencyToken, recordId } from '../core/schemas.js';

export const playerNameSchema = z.object({
  name: z
    .string({ error: 'Enter a name.' })
    .transform((s) => s.trim().replace(/\s+/g, ' '))
    .pipe(
      z
        .string()
        .min(1, { error: 'Enter a name.' })
        .max(40, { error: 'A name can be at most 40 characters.' })
        .refine((s) => !/[\p{Cc}]/u.test(s), { error: 'A name cannot contain control characters.' })
        .refine((s) => !s.includes('\uFFFD'), { error: 'A name cannot contain unreadable characters.' }),
    ),
});

export const idParamSchema = z.object({ id: recordId('No such record.') });

export const playerCreateSchema = playerNameSchema.extend({ token: idempotencyToken });
