import type express from 'express';
import { NotFoundError } from '../core/errors.js';

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003',
  '08006',
]);

/** True for errors that mean "the database is not there right now", not "this query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof e.code === 'string' && DB_DOWN_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return (
    e.name === 'KnexTimeoutError' ||
    /Connection terminated|Timeout acquiring a connection|connect ECONNREFUSED|terminating connection/i.test(message)
  );
}

export function notFound(_req: express.Request, res: express.Response): void {
  res.status(404).render('errors/404.njk');
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const CLIENT_MESSAGES: Record<number, string> = {
  400: 'The request could not be read.',
  403: 'This form has expired or did not come from this site. Please go back, reload the page and try again.',
  413: 'What you sent is too large.',
  415: 'Forms must be sent as ordinary web forms.',
};

export function errorHandler(
  err: unknown,
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
): void {
  if (res.headersSent) return next(err);
  if (err instanceof NotFoundError) return notFound(req, res);

  const e = (err ?? {}) as HttpishError & { name?: string; code?: string };
  // Multer's errors carry no status: a file too large is a 413, anything else a 400.
  const status = e.name === 'MulterError' ? (e.code === 'LIMIT_FILE_SIZE' ? 413 : 400) : (e.status ?? e.statusCode);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).render('errors/client.njk', {
      status,
      message: CLIENT_MESSAGES[status] ?? (e.expose && e.message ? e.message : 'The request could not be handled.'),
    });
    return;
  }
  if (isDatabaseUnavailable(err)) {
    req.log?.warn({ err }, 'database unavailable');
    res.status(503).set('Retry-After', '5').render('errors/503.njk');
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).render('errors/500.njk');
}
