import { z } from 'zod';
import { MAX_DEADWOOD, OUTCOMES } from '../scoring/rules.js';

const playerId = (label: string) =>
  z.string({ error: `Choose ${label}.` }).regex(/^[1-9]\d{0,8}$/, { error: `Choose ${label}.` }).transform(Number);

const optionalText = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

export const handFormSchema = z.object({
  playerA: playerId('the first player'),
  playerB: playerId('the second player'),
  outcome: z.enum(OUTCOMES, { error: 'Choose how the hand ended.' }),
  winner: optionalText.pipe(z.enum(['a', 'b'], { error: 'Choose who won the hand.' }).optional()),
  deadwood: optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,3}$/, { error: `Enter the deadwood difference as a whole number from 0 to ${MAX_DEADWOOD}.` })
      .transform(Number)
      .refine((n) => n <= MAX_DEADWOOD, {
        error: `Enter the deadwood difference as a whole number from 0 to ${MAX_DEADWOOD}.`,
      })
      .optional(),
  ),
  token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { error: 'This form has expired; please submit it again.' }),
});

export type HandFormInput = z.infer<typeof handFormSchema>;
