import express from 'express';
import { dbPing, type Db } from '../db.js';

/** For the platform's health checks: 200 when the database answers within 1 s, else 503. */
export function healthRoutes({ db }: { db: Db }): express.Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await dbPing(db, 1000);
    res.set('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: ok ? 'up' : 'down' });
  });
  // Liveness without the database: the benchmark's baseline, the cheapest route there is.
  router.get('/livez', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('text/plain').send('ok');
  });
  return router;
}
