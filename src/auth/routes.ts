import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formValues, newIdempotencyToken, ruleErrors, type FieldErrors } from '../http/forms.js';
import { safeNext } from '../http/members.js';
import { KnexRateLimitStore } from '../http/rateLimitStore.js';
import { csrfRenew, flash } from '../http/session.js';
import { ApplicationError } from '../core/errors.js';
import { playerList } from '../players/selectors.js';
import { playerNameSchema } from '../players/schemas.js';
import { memberSignIn } from './services.js';

const signInSchema = z.object({
  passcode: z.string().max(200, { error: 'That passcode is too long.' }).default(''),
  who: z.string({ error: 'Choose who you are.' }).regex(/^(new|[1-9]\d{0,8})$/, { error: 'Choose who you are.' }),
  newName: z.string().optional(),
  next: z.string().optional(),
  token: z.string().optional(),
});

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const SIGN_IN_ATTEMPTS = 10;

export function authRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();
  const passcode = config.access.passcode;

  // Failed attempts per client, counted in Postgres so that every web process agrees.
  const limiter = rateLimit({
    windowMs: SIGN_IN_WINDOW_MS,
    limit: SIGN_IN_ATTEMPTS,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new KnexRateLimitStore(db, 'sign-in:'),
    handler: (_req, res) => {
      res.status(429).render('errors/client.njk', {
        status: 429,
        message: 'Too many sign-in attempts from here. Please wait 15 minutes, then try again.',
      });
    },
  });

  const renderForm = async (res: express.Response, status: number, values: Record<string, string>, errors: FieldErrors = {}) => {
    const players = await playerList({ db });
    res.status(status).render('auth/sign-in.njk', {
      choices: [...players, { id: 'new', name: 'Someone new…' }],
      needsPasscode: passcode !== null,
      values: { token: newIdempotencyToken(), ...values },
      errors,
    });
  };

  router.get('/sign-in', async (req, res) => {
    await renderForm(res, 200, { next: safeNext(req.query.next) });
  });

  router.post('/sign-in', limiter, async (req, res) => {
    const values = formValues(req.body);
    delete values.passcode; // never sent back into the page
    const parsed = signInSchema.safeParse(req.body);
    if (!parsed.success) return renderForm(res, 422, values, fieldErrors(parsed.error));
    const { who, next } = parsed.data;
    let newName: string | undefined;
    if (who === 'new') {
      const name = playerNameSchema.safeParse({ name: parsed.data.newName ?? '' });
      if (!name.success) return renderForm(res, 422, values, { newName: fieldErrors(name.error).name ?? 'Enter your name.' });
      newName = name.data.name;
    }
    try {
      const member = await memberSignIn({
        db,
        expectedPasscode: passcode,
        passcode: parsed.data.passcode,
        playerId: who === 'new' ? null : Number(who),
        newName,
        idempotencyKey: parsed.data.token,
      });
      if (req.session) req.session.member = member;
      csrfRenew(req);
      flash(req, 'success', `Signed in as ${member.name}.`);
      res.redirect(303, safeNext(next));
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderForm(res, 422, values, ruleErrors(err));
    }
  });

  router.post('/sign-out', (req, res) => {
    if (req.session) req.session.member = undefined;
    csrfRenew(req);
    flash(req, 'info', 'Signed out. This phone can no longer change the scores until someone signs in.');
    res.redirect(303, '/');
  });

  return router;
}
