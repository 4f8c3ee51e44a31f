import crypto from 'node:crypto';
import type { z } from 'zod';
import type { ApplicationError } from '../core/errors.js';

/** Field name -> first message, for printing beside each field. */
export type FieldErrors = Record<string, string>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '_form');
    out[key] ??= issue.message;
  }
  return out;
}

/** The submitted body as plain strings, to put back in the form after an error. */
export function formValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string' && k !== '_csrf') out[k] = v;
    }
  }
  return out;
}

/** The errors to show for a broken business rule: beside the fields, or above the form. */
export function ruleErrors(err: ApplicationError): FieldErrors {
  return Object.keys(err.fields).length ? err.fields : { _form: err.message };
}

/** A fresh one-time token for a form whose double submission must record once. */
export const newIdempotencyToken = () => crypto.randomBytes(18).toString('base64url');

/*
 * The two sides of a hand as radio choices. Labelled "Player 1" and "Player 2" in the HTML:
 * without JavaScript a label must never name someone the selects above no longer show;
 * static/js/hand-form.js puts the chosen names in.
 */
export const SIDE_CHOICES = [
  { value: 'a', label: 'Player 1', id: 'winner-a' },
  { value: 'b', label: 'Player 2', id: 'winner-b' },
] as const;
