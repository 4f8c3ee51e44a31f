import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { PERIOD_ERROR, periodQuery, periodQuerySchema } from '../core/period.js';
import { periodNav } from '../http/periods.js';
import { leaderboardPageGet } from './selectors.js';

const orderSchema = z.object({ order: z.enum(['total', 'rating']).default('total') });

export function leaderboardRoutes({ db, config, cache, pages }: AppContext): express.Router {
  const router = express.Router();

  router.get('/', pages.serve, async (req, res) => {
    const query = periodQuerySchema.safeParse({ month: req.query.month, year: req.query.year });
    const order = orderSchema.safeParse(req.query);
    if (!query.success || !order.success) {
      res.status(400).render('errors/client.njk', { status: 400, message: PERIOD_ERROR });
      return;
    }
    const period = query.data;
    const now = new Date();
    // The hall of fame also depends on which month is the current one.
    const key = `home:${JSON.stringify(period)}:${now.toISOString().slice(0, 7)}`;
    const { months, changesAt, ...page } = await leaderboardPageGet({
      db,
      timeZone: config.league.timeZone,
      period,
      order: order.data.order,
      now,
      eloStart: config.elo.start,
      staleDays: config.league.staleGameDays,
      memo: (load) => cache.get(res, key, load),
    });
    res.locals.pageExpiresAt = changesAt;
    res.render('leaderboard/index.njk', {
      ...page,
      ...periodNav('/', period, months, page.byRating ? 'order=rating' : ''),
      orderLinks: {
        total: `/${periodQuery(period)}`,
        rating: `/${periodQuery(period) ? `${periodQuery(period)}&` : '?'}order=rating`,
      },
      lineBonus: config.league.rules.lineBonus,
    });
  });

  return router;
}
