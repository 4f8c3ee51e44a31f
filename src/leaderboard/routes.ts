import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { handListRecent } from '../hands/selectors.js';
import { gameListActive, gamesWithStaleness } from '../games/selectors.js';
import { ratingListCurrent } from '../ratings/selectors.js';
import { PERIOD_ERROR, periodLabel, periodQuery, periodQuerySchema } from '../core/period.js';
import { periodLinks } from '../http/periods.js';
import { hallOfFameList, leaderboardGet, monthListActive } from './selectors.js';

const HOME_GAMES = 3;

const orderSchema = z.object({ order: z.enum(['total', 'rating']).default('total') });

export function leaderboardRoutes({ db, config, cache }: AppContext): express.Router {
  const router = express.Router();
  const { timeZone } = config.league;

  router.get('/', async (req, res) => {
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
    const [standings, recent, hallOfFame, months, activeGames, ratings] = await cache.get(key, () =>
      Promise.all([
        leaderboardGet({ db, timeZone, period }),
        handListRecent({ db, limit: 10 }),
        hallOfFameList({ db, timeZone, now }),
        monthListActive({ db, timeZone }),
        gameListActive({ db }),
        ratingListCurrent({ db, start: config.elo.start }),
      ]),
    );
    const rated = standings.map((s) => ({ ...s, rating: Math.round(ratings.get(s.playerId) ?? config.elo.start) }));
    // By rating, those who have not played yet (the starting rating) come last.
    const unplayed = (s: { played: number; gamesPlayed: number }) => (s.played + s.gamesPlayed === 0 ? 1 : 0);
    if (order.data.order === 'rating') rated.sort((x, y) => unplayed(x) - unplayed(y) || y.rating - x.rating || x.name.localeCompare(y.name));
    const byRating = order.data.order === 'rating';
    const unfinished = gamesWithStaleness(activeGames, { now, staleDays: config.league.staleGameDays });
    res.render('leaderboard/index.njk', {
      standings: rated,
      byRating,
      gameStandings: standings.filter((s) => s.gamesPlayed > 0).sort((x, y) => y.gamesWon - x.gamesWon || y.gamePoints - x.gamePoints),
      // The home page stays short: the three latest, the rest one tap away.
      activeGames: unfinished.slice(0, HOME_GAMES),
      activeCount: unfinished.length,
      staleCount: unfinished.filter((g) => g.stale).length,
      recent,
      hallOfFame,
      period,
      periodTitle: period.kind === 'all' ? null : periodLabel(period),
      periods: periodLinks('/', period, months, byRating ? 'order=rating' : ''),
      orderLinks: {
        total: `/${periodQuery(period)}`,
        rating: `/${periodQuery(period) ? `${periodQuery(period)}&` : '?'}order=rating`,
      },
      lineBonus: config.league.rules.lineBonus,
    });
  });

  return router;
}
