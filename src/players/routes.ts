import express from 'express';
import type { AppContext } from '../http/context.js';
import { buttonPost, formPost, newIdempotencyToken, type FormState } from '../http/forms.js';
import { actorOf, requireMember } from '../http/members.js';
import { NotFoundError } from '../core/errors.js';
import { recordId } from '../core/schemas.js';
import { idParamSchema, playerCreateSchema, playerMergeSchema, playerNameSchema } from './schemas.js';
import { playerCreate, playerRename } from './services.js';
import { playerMerge, playerMergeUndo } from './merge.js';
import { playerListWithLookAlikes, playerMergeFormGet } from './selectors.js';

interface PageState {
  add?: Pick<FormState, 'values' | 'errors'>;
  rename?: Pick<FormState, 'values' | 'errors'> & { id: number };
}

export function playerRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();

  const renderPage = async (res: express.Response, status: number, state: PageState = {}) => {
    const players = await playerListWithLookAlikes({ db });
    res.status(status).render('players/index.njk', { players, token: state.add?.values.token ?? newIdempotencyToken(), ...state });
  };

  router.get('/players', (_req, res) => renderPage(res, 200));

  const playerIdOf = (req: express.Request) => {
    const id = idParamSchema.safeParse(req.params);
    if (!id.success) throw new NotFoundError('No such player');
    return id.data.id;
  };

  router.post('/players', (req, res) =>
    formPost(req, res, {
      schema: playerCreateSchema,
      render: (status, add) => renderPage(res, status, { add }),
      save: (input) => playerCreate({ db, name: input.name, actorId: actorOf(res), idempotencyKey: input.token }),
      saved: (player) => ({ redirect: '/players', flash: `Added ${player.name}.` }),
    }),
  );

  router.post('/players/:id/rename', (req, res) => {
    const id = playerIdOf(req);
    return formPost(req, res, {
      schema: playerNameSchema,
      render: (status, { values, errors }) => renderPage(res, status, { rename: { id, values, errors } }),
      save: (input) => playerRename({ db, id, name: input.name, actorId: actorOf(res) }),
      saved: (player) => ({ redirect: '/players', flash: `Renamed to ${player.name}.` }),
    });
  });

  const renderMerge = async (res: express.Response, status: number, id: number, { values, errors }: Pick<FormState, 'values' | 'errors'> = { values: {}, errors: {} }) => {
    const form = await playerMergeFormGet({ db, id });
    if (!form) throw new NotFoundError('No such player');
    res.status(status).render('players/merge.njk', { ...form, values, errors });
  };

  router.get('/players/:id/merge', requireMember, (req, res) => renderMerge(res, 200, playerIdOf(req)));

  router.post('/players/:id/merge', (req, res) => {
    const id = playerIdOf(req);
    return formPost(req, res, {
      schema: playerMergeSchema,
      render: (status, form) => renderMerge(res, status, id, form),
      save: (input) => playerMerge({ db, fromId: id, intoId: input.into, actorId: actorOf(res), elo: config.elo }),
      saved: (result, input) => ({
        redirect: `/players/${input.into}`,
        flash: `Merged: ${result.hands} hand${result.hands === 1 ? '' : 's'} and ${result.games} game${result.games === 1 ? '' : 's'} moved. The activity page can undo it.`,
      }),
    });
  });

  router.post('/merges/:id/undo', (req, res) => {
    const id = recordId('No such merge.').safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('No such merge');
    return buttonPost(req, res, {
      back: '/activity',
      run: () => playerMergeUndo({ db, mergeId: id.data, actorId: actorOf(res), elo: config.elo }),
      done: ({ name }) => `Merge undone: ${name} is back, with their hands and games.`,
    });
  });

  return router;
}
