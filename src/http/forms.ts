import crypto from 'node:crypto';
import type express from 'express';
import type { z } from 'zod';
import { ApplicationError } from '../core/errors.js';
import { flash, type Flash } from './session.js';

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

/** What a refused form is shown again with: what was typed, a message per field, and the first message. */
export interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
  /** The refusal in one sentence, for pages that show a single message above the form. */
  message: string;
}

/** A flash message: its text (of the helper's usual kind), or its kind, text and an undo button. */
export type Message = string | Flash;

/** Where to go after a successful post, and what to say there. */
export interface Done {
  redirect: string;
  flash?: Message | Message[];
}

export interface FormPost<S extends z.ZodType, R> {
  schema: S;
  /** The form's page, answered with `status` (422) and the user's values and messages beside the fields. */
  render: (status: number, form: FormState) => unknown;
  /** The one service call. Its ApplicationError refuses the form; any other error goes to the error handler. */
  save: (input: z.output<S>) => Promise<R>;
  /** After the commit, from what the service returned (nothing is read again): where to go and what to say. */
  saved: (result: R, input: z.output<S>) => Done;
  /** A refusal answered otherwise than by the 422 re-render (the scorepad's 409); undefined: the re-render. */
  refused?: (err: ApplicationError) => Promise<unknown> | undefined;
  /** Fields never sent back into the page (a passcode). */
  withhold?: readonly string[];
}

/**
 * One way to handle a form: parse the body with its schema, call the service, and either
 * re-render the page (422, the user's typing kept, a message beside each field) or flash
 * and redirect (POST/redirect/GET). Errors other than a broken rule — a lost database
 * (503, "send it again"), a missing record (404) — go on to the error handler.
 */
export async function formPost<S extends z.ZodType, R>(req: express.Request, res: express.Response, form: FormPost<S, R>): Promise<void> {
  const values = formValues(req.body);
  for (const name of form.withhold ?? []) delete values[name];
  const parsed = form.schema.safeParse(req.body);
  if (!parsed.success) {
    await form.render(422, { values, errors: fieldErrors(parsed.error), message: parsed.error.issues[0]?.message ?? 'Check the form.' });
    return;
  }
  let result: R;
  try {
    result = await form.save(parsed.data);
  } catch (err) {
    if (!(err instanceof ApplicationError)) throw err;
    await (form.refused?.(err) ?? form.render(422, { values, errors: ruleErrors(err), message: err.message }));
    return;
  }
  const done = form.saved(result, parsed.data);
  for (const message of [done.flash ?? []].flat()) say(req, message, 'success');
  res.redirect(303, done.redirect);
}

/**
 * A button that changes something and goes back (void, undo, restore, abandon): do it and
 * say so, or say why not (a broken rule, as a danger message); back to `back` either way.
 */
export async function buttonPost<R>(
  req: express.Request,
  res: express.Response,
  { back, run, done }: { back: string; run: () => Promise<R>; done: (result: R) => Message },
): Promise<void> {
  try {
    const result = await run();
    say(req, done(result), 'info');
  } catch (err) {
    if (!(err instanceof ApplicationError)) throw err;
    flash(req, 'danger', err.message);
  }
  res.redirect(303, back);
}

/** The confirmation of a form with a one-time token: a second sending found the first. */
export const savedOnce = ({ created, headline }: { created: boolean; headline: string }) =>
  created ? `Saved: ${headline}` : `Already saved: ${headline}. It was sent twice and counts once.`;

function say(req: express.Request, message: Message, kind: Flash['kind']): void {
  if (typeof message === 'string') flash(req, kind, message);
  else flash(req, message.kind, message.text, message.undo);
}
