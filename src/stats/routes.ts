import express from 'express';
import type { AppContext } from '../http/context.js';
import { NotFoundError } from '../core/errors.js';
import { recordId } from '../core/schemas.js';
import { PERIOD_ERROR, periodQuerySchema, type Period } from '../core/period.js';
import { periodNav } from '../http/periods.js';
import { headToHeadPageGet, playerPageGet, recordsGet } from './selectors.js';

function idOf(value: unknown): number {
  const id = recordId('No such player.').safeParse(value);
  if (!id.success) throw new NotFoundError('No such player');
  return id.data;
}

function periodOf(req: express.Request, res: express.Response): Period | null {
  const period = periodQuerySchema.safeParse({ month: req.query.month, year: req.query.year });
  if (period.success) return period.data;
  res.status(400).render('errors/client.njk', { status: 400, message: PERIOD_ERROR });
  return null;
}

export function statsRoutes({ db, config, cache, pages }: AppContext): express.Router {
  const router = express.Router();
  const { timeZone } = config.league;

  router.get('/players/:id', pages.serve, async (req, res) => {
    const playerId = idOf(req.params.id);
    const period = periodOf(req, res);
    if (!period) return;
    const key = `player:${playerId}:${JSON.stringify(period)}`;
    const page = await playerPageGet({ db, playerId, timeZone, period, eloStart: config.elo.start, memo: (load) => cache.get(res, key, load) });
    if (!page) throw new NotFoundError('No such player');
    if (page.stats.mergedIntoId !== null) return res.redirect(303, `/players/${page.stats.mergedIntoId}`);
    const { months, ...shown } = page;
    res.render('stats/player.njk', { ...shown, ...periodNav(`/players/${playerId}`, period, months) });
  });

  router.get('/head-to-head/:a/:b', pages.serve, async (req, res) => {
    const a = idOf(req.params.a);
    const b = idOf(req.params.b);
    const period = periodOf(req, res);
    if (!period) return;
    const key = `h2h:${a}:${b}:${JSON.stringify(period)}`;
    const page = await headToHeadPageGet({ db, a, b, timeZone, period, memo: (load) => cache.get(res, key, load) });
    if (!page) throw new NotFoundError('No such pair');
    const { months, ...shown } = page;
    res.render('stats/head-to-head.njk', { ...shown, ...periodNav(`/head-to-head/${a}/${b}`, period, months) });
  });

  router.get('/records', pages.serve, async (_req, res) => {
    res.render('stats/records.njk', { records: await cache.get(res, 'records', () => recordsGet({ db, timeZone })) });
  });

  return router;
}
