import express from 'express';
import type { AppContext } from '../http/context.js';
import { NotFoundError } from '../core/errors.js';
import { recordId } from '../core/schemas.js';
import { PERIOD_ERROR, periodLabel, periodQuerySchema, type Period } from '../core/period.js';
import { periodLinks } from '../http/periods.js';
import { lineChartSvg, sample } from '../charts/svg.js';
import { monthListActive } from '../leaderboard/selectors.js';
import { playerList } from '../players/selectors.js';
import { ratingHistoryGet, ratingListCurrent } from '../ratings/selectors.js';
import { headToHeadGet, headToHeadLeadByDay, playerPointsByDay, playerStatsGet, recordsGet } from './selectors.js';

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

/** A chart and the table of the same data (thinned to at most 60 points for both). */
function chartOf(title: string, description: string, days: { day: string; value: number }[], series: string, zeroLine = false) {
  const points = sample(days);
  return {
    svg: lineChartSvg({
      title,
      description,
      labels: points.map((p) => p.day),
      series: [{ name: series, values: points.map((p) => p.value), className: 'chart-line-1' }],
      zeroLine,
    }),
    rows: points,
    series,
    title,
  };
}

export function statsRoutes({ db, config, cache }: AppContext): express.Router {
  const router = express.Router();
  const { timeZone } = config.league;

  router.get('/players/:id', async (req, res) => {
    const playerId = idOf(req.params.id);
    const period = periodOf(req, res);
    if (!period) return;
    const [stats, points, months, ratings, others, history] = await cache.get(`player:${playerId}:${JSON.stringify(period)}`, () =>
      Promise.all([
        playerStatsGet({ db, playerId, timeZone, period }),
        playerPointsByDay({ db, playerId, timeZone, period }),
        monthListActive({ db, timeZone }),
        ratingListCurrent({ db, start: config.elo.start }),
        playerList({ db }),
        ratingHistoryGet({ db, playerId, timeZone, period }),
      ]),
    );
    if (!stats) throw new NotFoundError('No such player');
    if (stats.mergedIntoId !== null) return res.redirect(303, `/players/${stats.mergedIntoId}`);
    const label = periodLabel(period).toLowerCase();
    res.render('stats/player.njk', {
      stats,
      rating: Math.round(ratings.get(playerId) ?? config.elo.start),
      periodTitle: period.kind === 'all' ? null : periodLabel(period),
      periods: periodLinks(`/players/${playerId}`, period, months),
      pointsChart: points.length
        ? chartOf(`${stats.name}: points over time`, `Points won by ${stats.name}, added up day by day, ${label}.`, points, 'Points')
        : null,
      ratingChart: history.length
        ? chartOf(`${stats.name}: Elo rating over time`, `${stats.name}'s rating at the end of each day played, ${label}.`, history.map((h) => ({ day: h.day, value: Math.round(h.rating) })), 'Rating')
        : null,
      opponents: others.filter((o) => o.id !== playerId),
    });
  });

  router.get('/head-to-head/:a/:b', async (req, res) => {
    const a = idOf(req.params.a);
    const b = idOf(req.params.b);
    const period = periodOf(req, res);
    if (!period) return;
    const [h2h, lead, months] = await cache.get(`h2h:${a}:${b}:${JSON.stringify(period)}`, () =>
      Promise.all([
        headToHeadGet({ db, a, b, timeZone, period }),
        headToHeadLeadByDay({ db, a, b, timeZone, period }),
        monthListActive({ db, timeZone }),
      ]),
    );
    if (!h2h) throw new NotFoundError('No such pair');
    res.render('stats/head-to-head.njk', {
      h2h,
      periodTitle: period.kind === 'all' ? null : periodLabel(period),
      periods: periodLinks(`/head-to-head/${a}/${b}`, period, months),
      leadChart: lead.length
        ? chartOf(
            `Running lead of ${h2h.a.name} over ${h2h.b.name}`,
            `Points of ${h2h.a.name} minus points of ${h2h.b.name}, added up day by day; above zero ${h2h.a.name} leads.`,
            lead,
            `${h2h.a.name}'s lead`,
            true,
          )
        : null,
    });
  });

  router.get('/records', async (_req, res) => {
    res.render('stats/records.njk', { records: await cache.get('records', () => recordsGet({ db, timeZone })) });
  });

  return router;
}
