import express from 'express';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formValues, newIdempotencyToken, ruleErrors, type FieldErrors } from '../http/forms.js';
import { flash } from '../http/session.js';
import { actorOf, requireMember } from '../http/members.js';
import { ApplicationError } from '../core/errors.js';
import { OUTCOME_LABELS, OUTCOMES } from '../scoring/rules.js';
import { handFormSchema } from './schemas.js';
import { handRecord, handRestore, handVoid } from './services.js';
import { recordId } from '../core/schemas.js';
import { NotFoundError } from '../core/errors.js';
import { handFormGet, handGet, type HandView } from './selectors.js';

export function handHeadline(hand: HandView): string {
  if (hand.outcome === 'draw') return `Draw between ${hand.playerA} and ${hand.playerB}.`;
  return `${hand.winner} +${hand.points} (${OUTCOME_LABELS[hand.outcome]})`;
}

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
    const nameOf = (id: string, fallback: string) => form.players.find((p) => String(p.id) === id)?.name ?? fallback;
    res.status(status).render('hands/new.njk', {
      players: form.players,
      // Labelled with the chosen players' names; static/js/hand-form.js keeps them in step.
      winnerOptions: [
        { value: 'a', label: nameOf(chosen.playerA, 'Player 1'), id: 'winner-a' },
        { value: 'b', label: nameOf(chosen.playerB, 'Player 2'), id: 'winner-b' },
      ],
      outcomes: OUTCOMES.map((value) => ({ value, label: OUTCOME_LABELS[value] })),
      rules: config.league.rules,
      values: chosen,
      errors,
    });
  };

  router.get('/hands/new', requireMember, async (_req, res) => {
    await renderForm(res, 200, {});
  });

  router.post('/hands', async (req, res) => {
    const values = formValues(req.body);
    const parsed = handFormSchema.safeParse(req.body);
    if (!parsed.success) return renderForm(res, 422, values, fieldErrors(parsed.error));
    const input = parsed.data;
    try {
      const { id } = await handRecord({
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
      const hand = await handGet({ db, id });
      if (hand) flash(req, 'success', handHeadline(hand));
      res.redirect(303, '/');
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderForm(res, 422, values, ruleErrors(err));
    }
  });

  for (const [path, change, done] of [
    ['/hands/:id/void', handVoid, 'Hand voided: it no longer counts. It can be restored from the activity page.'],
    ['/hands/:id/restore', handRestore, 'Hand restored.'],
  ] as const) {
    router.post(path, async (req, res) => {
      const id = recordId('No such hand.').safeParse(req.params.id);
      if (!id.success) throw new NotFoundError('No such hand');
      try {
        await change({ db, id: id.data, actorId: actorOf(res), elo: config.elo });
        flash(req, 'info', done);
      } catch (err) {
        if (!(err instanceof ApplicationError)) throw err;
        flash(req, 'danger', err.message);
      }
      res.redirect(303, '/');
    });
  }

  return router;
}
