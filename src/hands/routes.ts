import express from 'express';
import type { AppContext } from '../http/context.js';
import { buttonPost, formPost, newIdempotencyToken, savedOnce, SIDE_CHOICES, type FormState } from '../http/forms.js';
import { actorOf, requireMember } from '../http/members.js';
import { handFormSchema } from './schemas.js';
import { handRecord, handRestore, handVoid } from './services.js';
import { recordId } from '../core/schemas.js';
import { NotFoundError } from '../core/errors.js';
import { handFormGet, handFormPair, handOutcomeChoices } from './selectors.js';

export function handRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();

  const renderForm = async (res: express.Response, status: number, { values, errors }: Pick<FormState, 'values' | 'errors'>) => {
    const form = await handFormGet({ db });
    res.status(status).set('Cache-Control', 'no-store').render('hands/new.njk', {
      players: form.players,
      winnerOptions: SIDE_CHOICES,
      outcomes: handOutcomeChoices(),
      rules: config.league.rules,
      values: { ...handFormPair(form), outcome: 'knock', token: newIdempotencyToken(), ...values },
      errors,
    });
  };

  // A refused form's address, reloaded or reopened later, leads back to the form, not to a 404.
  router.get('/hands', (_req, res) => res.redirect(303, '/hands/new'));

  router.get('/hands/new', requireMember, (_req, res) => renderForm(res, 200, { values: {}, errors: {} }));

  router.post('/hands', (req, res) =>
    formPost(req, res, {
      schema: handFormSchema,
      render: (status, form) => renderForm(res, status, form),
      save: (input) =>
        handRecord({
          db,
          rules: config.league.rules,
          playerAId: input.playerA,
          playerBId: input.playerB,
          outcome: input.outcome,
          winner: input.winner,
          deadwood: input.deadwood,
          idempotencyKey: input.token,
          actorId: actorOf(res),
          elo: config.elo,
        }),
      saved: (saved) => ({ redirect: '/', flash: savedOnce(saved) }),
    }),
  );

  for (const [path, change, done, undo] of [
    ['/hands/:id/void', handVoid, 'Hand voided: it no longer counts.', { path: 'restore', label: 'Undo' }],
    ['/hands/:id/restore', handRestore, 'Hand restored: it counts again.', undefined],
  ] as const) {
    router.post(path, (req, res) => {
      const id = recordId('No such hand.').safeParse(req.params.id);
      if (!id.success) throw new NotFoundError('No such hand');
      return buttonPost(req, res, {
        back: '/',
        run: () => change({ db, id: id.data, actorId: actorOf(res), elo: config.elo }),
        done: (sentence) => ({ kind: 'info', text: `${done} (${sentence})`, undo: undo && { action: `/hands/${id.data}/${undo.path}`, label: undo.label } }),
      });
    });
  }

  return router;
}
