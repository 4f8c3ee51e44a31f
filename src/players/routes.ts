import express from 'express';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formValues, newIdempotencyToken, ruleErrors, type FieldErrors } from '../http/forms.js';
import { flash } from '../http/session.js';
import { actorOf, requireMember } from '../http/members.js';
import { ApplicationError, NotFoundError } from '../core/errors.js';
import { recordId } from '../core/schemas.js';
import { idParamSchema, playerCreateSchema, playerMergeSchema, playerNameSchema } from './schemas.js';
import { playerCreate, playerRename } from './services.js';
import { playerMerge, playerMergeUndo } from './merge.js';
import { playerListWithLookAlikes, playerMergeFormGet } from './selectors.js';

interface PageState {
  add?: { values: Record<string, string>; errors: FieldErrors };
  rename?: { id: number; values: Record<string, string>; errors: FieldErrors };
}

export function playerRoutes({ db, config }: AppContext): express.Router {
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

  const playerIdOf = (req: express.Request) => {
    const id = idParamSchema.safeParse(req.params);
    if (!id.success) throw new NotFoundError('No such player');
    return id.data.id;
  };
  const renderMerge = async (res: express.Response, status: number, id: number, values: Record<string, string> = {}, errors: FieldErrors = {}) => {
    const form = await playerMergeFormGet({ db, id });
    if (!form) throw new NotFoundError('No such player');
    res.status(status).render('players/merge.njk', { ...form, values, errors });
  };

  router.get('/players/:id/merge', requireMember, async (req, res) => {
    await renderMerge(res, 200, playerIdOf(req));
  });

  router.post('/players/:id/merge', async (req, res) => {
    const id = playerIdOf(req);
    const values = formValues(req.body);
    const parsed = playerMergeSchema.safeParse(req.body);
    if (!parsed.success) return renderMerge(res, 422, id, values, fieldErrors(parsed.error));
    try {
      const result = await playerMerge({ db, fromId: id, intoId: parsed.data.into, actorId: actorOf(res), elo: config.elo });
      flash(req, 'success', `Merged: ${result.hands} hand${result.hands === 1 ? '' : 's'} and ${result.games} game${result.games === 1 ? '' : 's'} moved. The activity page can undo it.`);
      res.redirect(303, `/players/${parsed.data.into}`);
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderMerge(res, 422, id, values, ruleErrors(err));
    }
  });

  router.post('/merges/:id/undo', async (req, res) => {
    const id = recordId('No such merge.').safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('No such merge');
    try {
      const { name } = await playerMergeUndo({ db, mergeId: id.data, actorId: actorOf(res), elo: config.elo });
      flash(req, 'info', `Merge undone: ${name} is back, with their hands and games.`);
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      flash(req, 'danger', err.message);
    }
    res.redirect(303, '/activity');
  });

  return router;
}
