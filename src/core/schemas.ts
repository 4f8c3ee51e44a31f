/* Zod pieces shared by the features' form schemas. Forms send strings; these make numbers. */
import { z } from 'zod';
import { playerNameCheck } from './names.js';

/** A parsed body or a decoded JSON value that is an object with fields. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A blank field is absent. */
export const blankToUndefined = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

/** A whole number typed into a field, from min to max, with the message for anything else. */
export const wholeNumber = (min: number, max: number, message: string) =>
  z
    .string()
    .regex(/^\d{1,6}$/, { error: message })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: message });

export const optionalWholeNumber = (min: number, max: number, message: string) =>
  blankToUndefined.pipe(wholeNumber(min, max, message).optional());

/** A record id from a select or the URL. */
export const recordId = (message: string) => z.string({ error: message }).regex(/^[1-9]\d{0,8}$/, { error: message }).transform(Number);

/** The one-time token a form carries so that submitting it twice records once. */
export const idempotencyToken = z.string({ error: 'This form has expired; please reload it and submit again.' }).regex(/^[A-Za-z0-9_-]{16,64}$/, {
  error: 'This form has expired; please reload it and submit again.',
});

export const side = (message: string) => blankToUndefined.pipe(z.enum(['a', 'b'], { error: message }).optional());

/** A typed name, checked by the one identity rule (src/core/names.ts); gives the stored form. */
export const playerName = z.string({ error: 'Enter a name.' }).transform((raw, ctx) => {
  const r = playerNameCheck(raw);
  if (r.ok) return r.name;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
});

export const playerNameSchema = z.object({ name: playerName });
