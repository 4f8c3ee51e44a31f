import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { buttonPost, formPost, newIdempotencyToken, savedOnce, SIDE_CHOICES, type FormState } from '../http/forms.js';
import { actorOf, requireMember } from '../http/members.js';
import { GameOverError, NotFoundError } from '../core/errors.js';
import { recordId } from '../core/schemas.js';
import { handFormGet, handFormPair } from '../hands/selectors.js';
import { PRESETS, type HandEntry } from '../scoring/game.js';
import { gameHandSchema, gameRulesSchema, gameStartSchema, type GameHandInput } from './schemas.js';
import {
  gameHandDelete,
  gameHandEdit,
  gameHandRecord,
  gameHandRestore,
  gameAbandon,
  gameHandUndo,
  gameRestore,
  gameResume,
  gameRulesUpdate,
  gameStart,
  gameVoid,
} from './services.js';
import {
  gameGet,
  gameHandChoices,
  gameHandFormValues,
  gameListActive,
  gameListPage,
  gamePresetChoices,
  gameRulesFormValues,
} from './selectors.js';

const gameIdOf = (req: express.Request) => {
  const id = recordId('No such game.').safeParse(req.params.id);
  if (!id.success) throw new NotFoundError('No such game');
  return id.data;
};
const handIdOf = (req: express.Request) => {
  const id = recordId('No such hand.').safeParse(req.params.handId);
  if (!id.success) throw new NotFoundError('No such hand');
  return id.data;
};

function entryFrom(input: GameHandInput): HandEntry {
  return {
    outcome: input.outcome,
    winner: input.winner,
    deadwoodA: input.deadwoodA,
    deadwoodB: input.deadwoodB,
    difference: input.deadwood,
    upcard: input.upcardRank && input.upcardSuit ? { rank: input.upcardRank, suit: input.upcardSuit } : undefined,
  };
}

export function gameRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();

  const renderNew = async (res: express.Response, status: number, { values, errors }: Pick<FormState, 'values' | 'errors'>) => {
    const form = await handFormGet({ db });
    res.status(status).set('Cache-Control', 'no-store').render('games/new.njk', {
      players: form.players,
      dealers: SIDE_CHOICES,
      presets: gamePresetChoices(),
      values: { ...handFormPair(form), firstDealer: 'a', preset: 'north_american', token: newIdempotencyToken(), ...values },
      errors,
    });
  };

  const renderGame = async (
    res: express.Response,
    status: number,
    gameId: number,
    state: {
      hand?: Pick<FormState, 'values' | 'errors'>;
      rules?: Pick<FormState, 'values' | 'errors'>;
      /** A message above everything, e.g. why a hand was refused. */
      notice?: string;
    } = {},
  ) => {
    const game = await gameGet({ db, id: gameId });
    if (!game) throw new NotFoundError('No such game');
    res.status(status).set('Cache-Control', 'no-store').render('games/show.njk', {
      game,
      notice: state.notice,
      ...gameHandChoices(game),
      hand: { values: { token: newIdempotencyToken(), outcome: 'knock', ...state.hand?.values }, errors: state.hand?.errors ?? {} },
      rulesForm: { values: { ...gameRulesFormValues(game.rules), ...state.rules?.values }, errors: state.rules?.errors ?? {} },
    });
  };

  router.get('/games/new', requireMember, (_req, res) => renderNew(res, 200, { values: {}, errors: {} }));

  router.post('/games', (req, res) =>
    formPost(req, res, {
      schema: gameStartSchema,
      render: (status, form) => renderNew(res, status, form),
      save: (input) =>
        gameStart({
          db,
          playerAId: input.playerA,
          playerBId: input.playerB,
          firstDealer: input.firstDealer,
          preset: input.preset,
          idempotencyKey: input.token,
          actorId: actorOf(res),
        }),
      saved: ({ id }, input) => ({ redirect: `/games/${id}`, flash: `Game on: ${PRESETS[input.preset].label} rules, to ${PRESETS[input.preset].rules.target}.` }),
    }),
  );

  router.get('/games/:id', (req, res) => renderGame(res, 200, gameIdOf(req)));

  router.post('/games/:id/hands', (req, res) => {
    const gameId = gameIdOf(req);
    return formPost(req, res, {
      schema: gameHandSchema,
      render: (status, hand) => renderGame(res, status, gameId, { hand }),
      save: (input) => gameHandRecord({ db, gameId, entry: entryFrom(input), idempotencyKey: input.token, actorId: actorOf(res), elo: config.elo }),
      saved: (result) => ({ redirect: `/games/${gameId}`, flash: [savedOnce(result), ...(result.gameWonBy ? [`${result.gameWonBy} wins the game!`] : [])] }),
      // A hand sent to a game already won: the scorepad as it stands, and why (409).
      refused: (err) => (err instanceof GameOverError ? renderGame(res, 409, gameId, { notice: err.message }) : undefined),
    });
  });

  router.post('/games/:id/rules', (req, res) => {
    const gameId = gameIdOf(req);
    return formPost(req, res, {
      schema: gameRulesSchema,
      render: (status, rules) => renderGame(res, status, gameId, { rules }),
      save: (values) => gameRulesUpdate({ db, gameId, values, actorId: actorOf(res) }),
      saved: () => ({ redirect: `/games/${gameId}`, flash: 'Rules saved.' }),
    });
  });

  const renderEdit = async (res: express.Response, status: number, gameId: number, handId: number, form?: Pick<FormState, 'values' | 'errors'>) => {
    const game = await gameGet({ db, id: gameId });
    const hand = game?.hands.find((h) => h.id === handId);
    if (!game || !hand) throw new NotFoundError('No such hand');
    res.status(status).set('Cache-Control', 'no-store').render('games/edit-hand.njk', {
      game,
      editing: hand,
      ...gameHandChoices(game),
      hand: { values: { token: newIdempotencyToken(), ...(form?.values ?? gameHandFormValues(hand)) }, errors: form?.errors ?? {} },
    });
  };

  router.get('/games/:id/hands/:handId/edit', requireMember, (req, res) => renderEdit(res, 200, gameIdOf(req), handIdOf(req)));

  router.post('/games/:id/hands/:handId', (req, res) => {
    const gameId = gameIdOf(req);
    const handId = handIdOf(req);
    return formPost(req, res, {
      schema: gameHandSchema,
      render: (status, form) => renderEdit(res, status, gameId, handId, form),
      save: (input) => gameHandEdit({ db, gameId, handId, entry: entryFrom(input), idempotencyKey: input.token, actorId: actorOf(res), elo: config.elo }),
      saved: () => ({ redirect: `/games/${gameId}`, flash: 'Hand corrected; the totals are recomputed.' }),
    });
  });

  /** A correction from a button: do it, say what happened, back to the scorepad. */
  const correction =
    (done: string, action: (req: express.Request, res: express.Response, gameId: number) => Promise<unknown>, undo?: { path: string; label: string }) =>
    (req: express.Request, res: express.Response) => {
      const gameId = gameIdOf(req);
      return buttonPost(req, res, {
        back: `/games/${gameId}`,
        run: () => action(req, res, gameId),
        done: () => ({ kind: 'info', text: done, undo: undo && { action: `/games/${gameId}/${undo.path}`, label: undo.label } }),
      });
    };

  router.post('/games/:id/undo', (req, res) => {
    const gameId = gameIdOf(req);
    return buttonPost(req, res, {
      back: `/games/${gameId}`,
      run: () => gameHandUndo({ db, gameId, actorId: actorOf(res), elo: config.elo }),
      done: ({ handId, sentence }) => ({ kind: 'info', text: `Taken back: ${sentence}.`, undo: { action: `/games/${gameId}/hands/${handId}/restore`, label: 'Put it back' } }),
    });
  });
  // A refused form's address, reloaded or reopened later, leads back to its page, not to a 404.
  router.get(['/games/:id/hands', '/games/:id/rules', '/games/:id/undo'], (req, res) => res.redirect(303, `/games/${gameIdOf(req)}`));
  router.post(
    '/games/:id/hands/:handId/delete',
    correction('Hand deleted; the totals are recomputed. It can be restored from the activity page.', (req, res, gameId) =>
      gameHandDelete({ db, gameId, handId: handIdOf(req), actorId: actorOf(res), elo: config.elo }),
    ),
  );
  router.post(
    '/games/:id/hands/:handId/restore',
    correction('Hand restored; the totals are recomputed.', (req, res, gameId) =>
      gameHandRestore({ db, gameId, handId: handIdOf(req), actorId: actorOf(res), elo: config.elo }),
    ),
  );
  router.post(
    '/games/:id/void',
    correction('Game voided: it no longer counts.', (_req, res, gameId) => gameVoid({ db, gameId, actorId: actorOf(res), elo: config.elo }), { path: 'restore', label: 'Undo' }),
  );
  router.post('/games/:id/restore', correction('Game restored.', (_req, res, gameId) => gameRestore({ db, gameId, actorId: actorOf(res), elo: config.elo })));

  router.get('/games', async (_req, res) => {
    res.render('games/index.njk', gameListPage(await gameListActive({ db }), { now: new Date(), staleDays: config.league.staleGameDays }));
  });

  // One tap to abandon, from the home page or the list; the message under it has the undo.
  router.post('/games/:id/abandon', (req, res) => {
    const gameId = gameIdOf(req);
    const back = backSchema.parse(req.query.back);
    return buttonPost(req, res, {
      back,
      run: () => gameAbandon({ db, gameId, actorId: actorOf(res) }),
      done: () => ({
        kind: 'info',
        text: `Game ${gameId} abandoned: off the unfinished list, kept in the history.`,
        undo: { action: `/games/${gameId}/resume?back=${encodeURIComponent(back)}`, label: 'Undo' },
      }),
    });
  });
  router.post('/games/:id/resume', (req, res) => {
    const gameId = gameIdOf(req);
    return buttonPost(req, res, {
      back: req.query.back === undefined ? `/games/${gameId}` : backSchema.parse(req.query.back),
      run: () => gameResume({ db, gameId, actorId: actorOf(res) }),
      done: () => ({ kind: 'success', text: `Game ${gameId} is back on the unfinished list.` }),
    });
  });

  return router;
}
/** Where to go back to after abandoning or taking up again: only our own pages (no open redirect). */
const backSchema = z.enum(['/', '/games', '/activity']).catch('/games');
