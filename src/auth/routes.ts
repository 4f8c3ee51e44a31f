import express from 'express';
import { z } from 'zod';
import { blankToUndefined, playerNameSchema } from '../core/schemas.js';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formPost, newIdempotencyToken, type FormState } from '../http/forms.js';
import { actorOf, safeNext } from '../http/members.js';
import { csrfRenew, flash } from '../http/session.js';
import { ApplicationError } from '../core/errors.js';
import { playerList } from '../players/selectors.js';
import { passcodeFingerprint } from './passcode.js';
import { memberSignIn, memberSignOut, memberSignOutEverywhere, passcodeCheck } from './services.js';

const WHO = /^(new|[1-9]\d{0,8})$/;
const signInSchema = z.object({
  passcode: z.string().max(200, { error: 'That passcode is too long.' }).default(''),
  // "Choose…" left as it is sends a blank: no answer yet, not a wrong one.
  who: blankToUndefined.pipe(z.string().regex(WHO, { error: 'Choose who you are.' }).optional()),
  newName: z.string().optional(),
  next: z.string().optional(),
  token: z.string().optional(),
});

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
/** Wrong passcodes per address per window. */
export const SIGN_IN_ATTEMPTS = 10;
/** Wrong passcodes from anywhere per window: many addresses cannot guess for long either. */
export const SIGN_IN_LEAGUE_ATTEMPTS = 100;
const LEAGUE_KEY = 'sign-in:league';
/** How long an accepted passcode waits for "who are you" on that phone. */
const STEP_TWO_MS = 15 * 60 * 1000;

const BLOCKED_MESSAGES = {
  address: 'Too many sign-in attempts from here. Please wait 15 minutes, then try again.',
  league: 'Too many wrong passcodes have been tried in this league recently. Please wait 15 minutes, then try again.',
};

const refusal = (field: string, message: string) => new ApplicationError(message, { fields: { [field]: message } });

/** Too many wrong passcodes: the error handler answers 429 with this message. */
class TooManyAttempts extends Error {
  readonly status = 429;
  readonly expose = true;
}

/*
 * Signing in is two questions: the league's passcode, then "who are you". The second is
 * asked only once the first is answered (the session remembers that the passcode was
 * accepted), so a private league shows nobody's name to a stranger. Both may also come
 * in one form, as the public league's page sends them.
 */
export function authRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();
  const passcode = config.access.passcode;
  const fingerprint = passcodeFingerprint(config.secretKey, passcode);
  const privateLeague = config.access.private;

  const passcodeAccepted = (req: express.Request) => {
    if (passcode === null) return true;
    const ok = req.session?.passcodeOk;
    return ok?.fingerprint === fingerprint && typeof ok.at === 'number' && Date.now() - ok.at < STEP_TWO_MS;
  };

  const renderForm = async (req: express.Request, res: express.Response, status: number, { values, errors }: Pick<FormState, 'values' | 'errors'>) => {
    const accepted = passcodeAccepted(req);
    // Until the passcode is accepted, a private league's page names nobody.
    const askWho = accepted || !privateLeague;
    const players = askWho ? await playerList({ db }) : [];
    res.status(status).render('auth/sign-in.njk', {
      choices: [...players, { id: 'new', name: 'Someone new…' }],
      needsPasscode: !accepted,
      askWho,
      values: { token: newIdempotencyToken(), ...values },
      errors,
    });
  };

  router.get('/sign-in', async (req, res) => {
    await renderForm(req, res, 200, { values: { next: safeNext(req.query.next) }, errors: {} });
  });

  /** Both questions of signing in; a wrong answer is a refusal (ApplicationError) like a service's. */
  const signIn = async (req: express.Request, res: express.Response, input: z.output<typeof signInSchema>): Promise<{ step: 'who' } | { step: 'done'; name: string }> => {
    // A name typed in "if you are new" with "who are you" left alone: someone new.
    const who = input.who ?? (input.newName?.trim() ? 'new' : undefined);
    if (passcode !== null && !passcodeAccepted(req)) {
      const check = await passcodeCheck({
        db,
        expected: passcode,
        given: input.passcode,
        limits: [
          { key: `sign-in:${req.ip ?? 'unknown'}`, limit: SIGN_IN_ATTEMPTS },
          { key: LEAGUE_KEY, limit: SIGN_IN_LEAGUE_ATTEMPTS },
        ],
        windowMs: SIGN_IN_WINDOW_MS,
      });
      if (check.result === 'blocked') {
        // When to try again: set here, kept by the error handler's 429 page.
        res.set('Retry-After', String(SIGN_IN_WINDOW_MS / 1000));
        throw new TooManyAttempts(BLOCKED_MESSAGES[check.by.key === LEAGUE_KEY ? 'league' : 'address']);
      }
      if (check.result === 'wrong') throw refusal('passcode', 'That passcode is not right. Ask the others for it.');
      if (req.session) req.session.passcodeOk = { fingerprint, at: Date.now() };
      // Step one done: now "who are you".
      if (who === undefined) return { step: 'who' };
    }
    if (who === undefined) throw refusal('who', 'Choose who you are.');

    let newName: string | undefined;
    if (who === 'new') {
      const name = playerNameSchema.safeParse({ name: input.newName ?? '' });
      if (!name.success) throw refusal('newName', fieldErrors(name.error).name ?? 'Enter your name.');
      newName = name.data.name;
    }
    const { member, token } = await memberSignIn({
      db,
      playerId: who === 'new' ? null : Number(who),
      newName,
      idempotencyKey: input.token,
      passcodeFingerprint: fingerprint,
    });
    if (req.session) {
      req.session.sid = token;
      req.session.passcodeOk = undefined;
    }
    csrfRenew(req);
    return { step: 'done', name: member.name };
  };

  router.post('/sign-in', (req, res) =>
    formPost(req, res, {
      schema: signInSchema,
      withhold: ['passcode'],
      render: (status, form) => renderForm(req, res, status, form),
      save: (input) => signIn(req, res, input),
      saved: (result, { next }) =>
        result.step === 'who'
          ? { redirect: `/sign-in?next=${encodeURIComponent(safeNext(next))}` }
          : { redirect: safeNext(next), flash: `Signed in as ${result.name}.` },
    }),
  );

  router.post('/sign-out', async (req, res) => {
    const token = req.session?.sid;
    if (token) await memberSignOut({ db, token });
    if (req.session) {
      req.session.sid = undefined;
      req.session.passcodeOk = undefined;
    }
    csrfRenew(req);
    flash(req, 'info', 'Signed out. This phone can no longer change the scores until someone signs in.');
    res.redirect(303, '/');
  });

  router.post('/sign-out/everywhere', async (req, res) => {
    const playerId = actorOf(res);
    if (playerId === null) return res.redirect(303, '/sign-in');
    const ended = await memberSignOutEverywhere({ db, playerId });
    if (req.session) {
      req.session.sid = undefined;
      req.session.passcodeOk = undefined;
    }
    csrfRenew(req);
    flash(req, 'info', `Signed out on every phone (${ended} ${ended === 1 ? 'session' : 'sessions'} ended).`);
    res.redirect(303, '/');
  });

  return router;
}
