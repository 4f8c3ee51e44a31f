import express from 'express';
import type { AppContext } from '../http/context.js';
import { activityList } from './selectors.js';

export function activityRoutes({ db }: AppContext): express.Router {
  const router = express.Router();
  router.get('/activity', async (_req, res) => {
    res.render('activity/index.njk', { entries: await activityList({ db, limit: 100 }) });
  });
  return router;
}
