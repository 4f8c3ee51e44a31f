import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { fieldErrors, formValues, newIdempotencyToken, ruleErrors, SIDE_CHOICES, type FieldErrors } from '../http/forms.js';
import { flash } from '../http/session.js';
import { actorOf, requireMember } from '../http/members.js';
import { ApplicationError, GameOverError, NotFoundError } from '../core/errors.js';
import { recordId } from '../core/schemas.js';
import { handFormGet } from '../hands/selectors.js';
import { OUTCOME_LABELS, OUTCOMES } from '../scoring/rules.js';
import { PRESET_NAMES, PRESETS, RANKS, SUIT_NAMES, SUITS, type HandEntry } from '../scoring/game.js';
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
import { gameGet, gameListActive, gamesWithStaleness, type GameView } from './selectors.js';

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

/** Choices for the hand form, shaped for the form macros. */
function handChoices(game: GameView) {
  return {
    outcomes: OUTCOMES.filter((o) => o !== 'big_gin' || game.rules.bigGinBonus !== null).map((value) => ({ value, label: OUTCOME_LABELS[value] })),
    winners: (['a', 'b'] as const).map((side) => ({ value: side, label: game.players[side].name })),
    ranks: RANKS.map((r) => ({ id: r, name: r })),
    suits: SUITS.map((s) => ({ id: s, name: SUIT_NAMES[s] })),
  };
}

export function gameRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();

  const renderNew = async (res: express.Response, status: number, values: Record<string, string>, errors: FieldErrors = {}) => {
    const form = await handFormGet({ db });
    const [first, second] = form.players;
    const chosen = {
      playerA: String(form.lastPair?.playerAId ?? first?.id ?? ''),
      playerB: String(form.lastPair?.playerBId ?? second?.id ?? ''),
      firstDealer: 'a',
      preset: 'north_american',
      token: newIdempotencyToken(),
      ...values,
    };
    res.status(status).set('Cache-Control', 'no-store').render('games/new.njk', {
      players: form.players,
      dealers: SIDE_CHOICES,
      presets: PRESET_NAMES.map((value) => ({ value, label: PRESETS[value].label, rules: PRESETS[value].rules })),
      values: chosen,
      errors,
    });
  };

  const renderGame = async (
    res: express.Response,
    status: number,
    gameId: number,
    state: {
      hand?: { values: Record<string, string>; errors: FieldErrors };
      rules?: { values: Record<string, string>; errors: FieldErrors };
      /** A message above everything, e.g. why a hand was refused. */
      notice?: string;
    } = {},
  ) => {
    const game = await gameGet({ db, id: gameId });
    if (!game) throw new NotFoundError('No such game');
    const r = game.rules;
    res.status(status).set('Cache-Control', 'no-store').render('games/show.njk', {
      game,
      notice: state.notice,
      ...handChoices(game),
      hand: { values: { token: newIdempotencyToken(), outcome: 'knock', ...state.hand?.values }, errors: state.hand?.errors ?? {} },
      rulesForm: {
        values: {
          ginBonus: String(r.ginBonus),
          bigGinBonus: r.bigGinBonus === null ? '' : String(r.bigGinBonus),
          undercutBonus: String(r.undercutBonus),
          lineBonus: String(r.lineBonus),
          gameBonus: String(r.gameBonus),
          target: String(r.target),
          knockLimit: String(r.knockLimit),
          ...state.rules?.values,
        },
        errors: state.rules?.errors ?? {},
      },
    });
  };

  router.get('/games/new', requireMember, async (_req, res) => {
    await renderNew(res, 200, {});
  });

  router.post('/games', async (req, res) => {
    const values = formValues(req.body);
    const parsed = gameStartSchema.safeParse(req.body);
    if (!parsed.success) return renderNew(res, 422, values, fieldErrors(parsed.error));
    const input = parsed.data;
    try {
      const { id } = await gameStart({
        db,
        playerAId: input.playerA,
        playerBId: input.playerB,
        firstDealer: input.firstDealer,
        preset: input.preset,
        idempotencyKey: input.token,
        actorId: actorOf(res),
      });
      flash(req, 'success', `Game on: ${PRESETS[input.preset].label} rules, to ${PRESETS[input.preset].rules.target}.`);
      res.redirect(303, `/games/${id}`);
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderNew(res, 422, values, ruleErrors(err));
    }
  });

  router.get('/games/:id', async (req, res) => {
    await renderGame(res, 200, gameIdOf(req));
  });

  router.post('/games/:id/hands', async (req, res) => {
    const gameId = gameIdOf(req);
    const values = formValues(req.body);
    const parsed = gameHandSchema.safeParse(req.body);
    if (!parsed.success) return renderGame(res, 422, gameId, { hand: { values, errors: fieldErrors(parsed.error) } });
    try {
      const result = await gameHandRecord({ db, gameId, entry: entryFrom(parsed.data), idempotencyKey: parsed.data.token, actorId: actorOf(res), elo: config.elo });
      // Nothing is read after the commit: the message is true whatever fails next.
      flash(req, 'success', result.created ? `Saved: ${result.headline}` : `Already saved: ${result.headline}. It was sent twice and counts once.`);
      if (result.gameWonBy) flash(req, 'success', `${result.gameWonBy} wins the game!`);
      res.redirect(303, `/games/${gameId}`);
    } catch (err) {
      if (err instanceof GameOverError) return renderGame(res, 409, gameId, { notice: err.message });
      if (!(err instanceof ApplicationError)) throw err;
      await renderGame(res, 422, gameId, { hand: { values, errors: ruleErrors(err) } });
    }
  });

  router.post('/games/:id/rules', async (req, res) => {
    const gameId = gameIdOf(req);
    const values = formValues(req.body);
    const parsed = gameRulesSchema.safeParse(req.body);
    if (!parsed.success) return renderGame(res, 422, gameId, { rules: { values, errors: fieldErrors(parsed.error) } });
    try {
      await gameRulesUpdate({ db, gameId, values: parsed.data, actorId: actorOf(res) });
      flash(req, 'success', 'Rules saved.');
      res.redirect(303, `/games/${gameId}`);
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderGame(res, 422, gameId, { rules: { values, errors: ruleErrors(err) } });
    }
  });

  const renderEdit = async (
    res: express.Response,
    status: number,
    gameId: number,
    handId: number,
    values: Record<string, string> | null,
    errors: FieldErrors = {},
  ) => {
    const game = await gameGet({ db, id: gameId });
    const hand = game?.hands.find((h) => h.id === handId);
    if (!game || !hand) throw new NotFoundError('No such hand');
    const stored: Record<string, string> = {
      outcome: hand.outcome,
      winner: hand.winner ?? '',
      deadwoodA: hand.deadwoodA === null ? '' : String(hand.deadwoodA),
      deadwoodB: hand.deadwoodB === null ? '' : String(hand.deadwoodB),
      deadwood: hand.deadwoodA === null && hand.deadwood !== null ? String(hand.deadwood) : '',
      upcardRank: hand.upcard ? hand.upcard.slice(0, -1) : '',
      upcardSuit: hand.upcard ? hand.upcard.slice(-1) : '',
    };
    res.status(status).set('Cache-Control', 'no-store').render('games/edit-hand.njk', {
      game,
      editing: hand,
      ...handChoices(game),
      hand: { values: { token: newIdempotencyToken(), ...(values ?? stored) }, errors },
    });
  };

  router.get('/games/:id/hands/:handId/edit', requireMember, async (req, res) => {
    await renderEdit(res, 200, gameIdOf(req), handIdOf(req), null);
  });

  router.post('/games/:id/hands/:handId', async (req, res) => {
    const gameId = gameIdOf(req);
    const handId = handIdOf(req);
    const values = formValues(req.body);
    const parsed = gameHandSchema.safeParse(req.body);
    if (!parsed.success) return renderEdit(res, 422, gameId, handId, values, fieldErrors(parsed.error));
    try {
      await gameHandEdit({ db, gameId, handId, entry: entryFrom(parsed.data), idempotencyKey: parsed.data.token, actorId: actorOf(res), elo: config.elo });
      flash(req, 'success', 'Hand corrected; the totals are recomputed.');
      res.redirect(303, `/games/${gameId}`);
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      await renderEdit(res, 422, gameId, handId, values, ruleErrors(err));
    }
  });

  /** A correction from a button: do it, say what happened, back to the scorepad. */
  const correction =
    (done: string, action: (req: express.Request, res: express.Response, gameId: number) => Promise<void>, undo?: { path: string; label: string }) =>
    async (req: express.Request, res: express.Response) => {
      const gameId = gameIdOf(req);
      try {
        await action(req, res, gameId);
        flash(req, 'info', done, undo && { action: `/games/${gameId}/${undo.path}`, label: undo.label });
      } catch (err) {
        if (!(err instanceof ApplicationError)) throw err;
        flash(req, 'danger', err.message);
      }
      res.redirect(303, `/games/${gameId}`);
    };

  router.post('/games/:id/undo', async (req, res) => {
    const gameId = gameIdOf(req);
    try {
      const { handId, sentence } = await gameHandUndo({ db, gameId, actorId: actorOf(res), elo: config.elo });
      flash(req, 'info', `Taken back: ${sentence}.`, { action: `/games/${gameId}/hands/${handId}/restore`, label: 'Put it back' });
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      flash(req, 'danger', err.message);
    }
    res.redirect(303, `/games/${gameId}`);
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
    const games = gamesWithStaleness(await gameListActive({ db }), { now: new Date(), staleDays: config.league.staleGameDays });
    res.render('games/index.njk', { fresh: games.filter((g) => !g.stale), stale: games.filter((g) => g.stale), staleDays: config.league.staleGameDays });
  });

  // One tap to abandon, from the home page or the list; the message under it has the undo.
  router.post('/games/:id/abandon', async (req, res) => {
    const gameId = gameIdOf(req);
    const back = backSchema.parse(req.query.back);
    try {
      await gameAbandon({ db, gameId, actorId: actorOf(res) });
      flash(req, 'info', `Game ${gameId} abandoned: off the unfinished list, kept in the history.`, { action: `/games/${gameId}/resume?back=${encodeURIComponent(back)}`, label: 'Undo' });
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      flash(req, 'danger', err.message);
    }
    res.redirect(303, back);
  });
  router.post('/games/:id/resume', async (req, res) => {
    const gameId = gameIdOf(req);
    const back = req.query.back === undefined ? `/games/${gameId}` : backSchema.parse(req.query.back);
    try {
      await gameResume({ db, gameId, actorId: actorOf(res) });
      flash(req, 'success', `Game ${gameId} is back on the unfinished list.`);
    } catch (err) {
      if (!(err instanceof ApplicationError)) throw err;
      flash(req, 'danger', err.message);
    }
    res.redirect(303, back);
  });

  return router;
}

/** Where to go back to after abandoning or taking up again: only our own pages (no open redirect). */
const backSchema = z.enum(['/', '/games', '/activity']).catch('/games');
