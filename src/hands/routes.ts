import express from 'express';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formValues, newIdempotencyToken, ruleErrors, SIDE_CHOICES, type FieldErrors } from '../http/forms.js';
import { flash } from '../http/session.js';
import { actorOf, requireMember } from '../http/members.js';
import { ApplicationError } from '../core/errors.js';
import { OUTCOME_LABELS, OUTCOMES } from '../scoring/rules.js';
import { handFormSchema } from './schemas.js';
import { handRecord, handRestore, handVoid } from './services.js';
import { recordId } from '../core/schemas.js';
import { NotFoundError } from '../core/errors.js';
import { handFormGet } from './selectors.js';

export function handRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();

  const renderForm = async (
    res: express.Response,
    status: number,
    values: Record<string, string>,
    errors: FieldErrors = {},
  ) => {
    const form = await handFormGet({ db });
    const [first, second] = form.players;
    const defaults = {
      playerA: String(form.lastPair?.playerAId ?? first?.id ?? ''),
      playerB: String(form.lastPair?.playerBId ?? second?.id ?? ''),
      outcome: 'knock',
      token: newIdempotencyToken(),
    };
    const chosen = { ...defaults, ...values };
    res.status(status).set('Cache-Control', 'no-store').render('hands/new.njk', {
      players: form.players,
      winnerOptions: SIDE_CHOICES,
      outcomes: OUTCOMES.map((value) => ({ value, label: OUTCOME_LABELS[value] })),
      rules: config.league.rules,
      values: chosen,
      errors,
    });
  };

  // A refused form's address, reloaded or reopened later, leads back to the form, not to a 404.
  router.get('/hands', (_req, res) => res.redirect(303, '/hands/new'));

  router.get('/hands/new', requireMember, async (_req, res) => {
    await renderForm(res, 200, {});
  });

  router.post('/hands', async (req, res) => {
    const values = formValues(req.body);
    const parsed = handFormSchema.safeParse(req.body);
    if (!parsed.success) return renderForm(res, 422, values, fieldErrors(parsed.error));
    const input = parsed.data;
    try {
      const saved = await handRecord({
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
      });
      // Nothing is read after the commit: the message is true whatever fails next.
      flash(req, 'success', saved.created ? `Saved: ${saved.headline}` : `Already saved: ${saved.headline}. It was sent twice and counts once.`);
      res.redirect(303, '/');
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderForm(res, 422, values, ruleErrors(err));
    }
  });

  for (const [path, change, done, undo] of [
    ['/hands/:id/void', handVoid, 'Hand voided: it no longer counts.', { path: 'restore', label: 'Undo' }],
    ['/hands/:id/restore', handRestore, 'Hand restored: it counts again.', undefined],
  ] as const) {
    router.post(path, async (req, res) => {
      const id = recordId('No such hand.').safeParse(req.params.id);
      if (!id.success) throw new NotFoundError('No such hand');
      try {
        const sentence = await change({ db, id: id.data, actorId: actorOf(res), elo: config.elo });
        flash(req, 'info', `${done} (${sentence})`, undo && { action: `/hands/${id.data}/${undo.path}`, label: undo.label });
      } catch (err) {
        if (!(err instanceof ApplicationError)) throw err;
        flash(req, 'danger', err.message);
      }
      res.redirect(303, '/');
    });
  }

  return router;
}
