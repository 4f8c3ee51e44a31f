import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { handListRecent } from '../hands/selectors.js';
import { gameListActive } from '../games/selectors.js';
import { hallOfFameList, leaderboardGet, monthKey, monthListActive, type MonthRef } from './selectors.js';

const querySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .transform((s): MonthRef => ({ year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)) }))
    .optional(),
});

export function leaderboardRoutes({ db, config }: AppContext): express.Router {
  const router = express.Router();
  const { timeZone } = config.league;

  router.get('/', async (req, res) => {
    const query = querySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).render('errors/client.njk', {
        status: 400,
        message: 'That is not a month we know. Months look like 2026-11.',
      });
      return;
    }
    const month = query.data.month;
    const [standings, recent, hallOfFame, months, activeGames] = await Promise.all([
      leaderboardGet({ db, timeZone, month }),
      handListRecent({ db, limit: 10 }),
      hallOfFameList({ db, timeZone }),
      monthListActive({ db, timeZone }),
      gameListActive({ db }),
    ]);
    res.render('leaderboard/index.njk', {
      standings,
      gameStandings: standings.filter((s) => s.gamesPlayed > 0).sort((x, y) => y.gamesWon - x.gamesWon || y.gamePoints - x.gamePoints),
      activeGames,
      recent,
      hallOfFame,
      months,
      month: month ? monthKey(month) : null,
      lineBonus: config.league.rules.lineBonus,
    });
  });

  return router;
}
