import express from 'express';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formValues, newIdempotencyToken, ruleErrors, type FieldErrors } from '../http/forms.js';
import { flash } from '../http/session.js';
import { actorOf } from '../http/members.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { idParamSchema, playerCreateSchema, playerNameSchema } from './schemas.js';
import { playerCreate, playerRename } from './services.js';
import { playerListWithLookAlikes } from './selectors.js';

interface PageState {
  add?: { values: Record<string, string>; errors: FieldErrors };
  rename?: { id: number; values: Record<string, string>; errors: FieldErrors };
}

export function playerRoutes({ db }: AppContext): express.Router {
  const router = express.Router();

  const renderPage = async (res: express.Response, status: number, state: PageState = {}) => {
    const players = await playerListWithLookAlikes({ db });
    res.status(status).render('players/index.njk', { players, token: state.add?.values.token ?? newIdempotencyToken(), ...state });
  };

  router.get('/players', async (_req, res) => {
    await renderPage(res, 200);
  });

  router.post('/players', async (req, res) => {
    const values = formValues(req.body);
    const parsed = playerCreateSchema.safeParse(req.body);
    if (!parsed.success) return renderPage(res, 422, { add: { values, errors: fieldErrors(parsed.error) } });
    try {
      const player = await playerCreate({ db, name: parsed.data.name, actorId: actorOf(res), idempotencyKey: parsed.data.token });
      flash(req, 'success', `Added ${player.name}.`);
      res.redirect(303, '/players');
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderPage(res, 422, { add: { values, errors: ruleErrors(err) } });
    }
  });

  router.post('/players/:id/rename', async (req, res) => {
    const id = idParamSchema.safeParse(req.params);
    if (!id.success) throw new NotFoundError('No such player');
    const values = formValues(req.body);
    const parsed = playerNameSchema.safeParse(req.body);
    if (!parsed.success) {
      return renderPage(res, 422, { rename: { id: id.data.id, values, errors: fieldErrors(parsed.error) } });
    }
    try {
      const player = await playerRename({ db, id: id.data.id, name: parsed.data.name, actorId: actorOf(res) });
      flash(req, 'success', `Renamed to ${player.name}.`);
      res.redirect(303, '/players');
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderPage(res, 422, { rename: { id: id.data.id, values, errors: ruleErrors(err) } });
    }
  });

  return router;
}
