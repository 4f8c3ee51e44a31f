import type express from 'express';
import { errorField, NotFoundError } from '../core/errors.js';
import { isRecord } from '../core/schemas.js';
import { currentWriteLog, databaseOutage, isDatabaseUnavailable, type DatabaseOutage } from '../db.js';

/** Re-exported: the classification lives with the database code (src/db.ts). */
export { databaseOutage, isDatabaseUnavailable };

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

  // Errors of http-errors' make (body-parser's, csrf-sync's) and Multer's, read field by field.
  const field = (key: keyof HttpishError | 'name' | 'code') => errorField(err, key);
  const message = field('message');
  // Multer's errors carry no status: a file too large is a 413, anything else a 400.
  const status = field('name') === 'MulterError' ? (field('code') === 'LIMIT_FILE_SIZE' ? 413 : 400) : (field('status') ?? field('statusCode'));
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).render('errors/client.njk', {
      status,
      message: CLIENT_MESSAGES[status] ?? (field('expose') && typeof message === 'string' && message ? message : 'The request could not be handled.'),
    });
    return;
  }
  const outage = databaseOutage(err);
  if (outage) {
    req.log?.warn({ err }, 'database unavailable');
    res.status(503).set('Retry-After', '5').render('errors/503.njk', unavailable(req, outage));
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).render('errors/500.njk');
}

/*
 * What a 503 may truthfully say. A read only failed to show. A write whose transaction
 * committed was saved, whatever failed after it (the request's write log knows); one that
 * broke during its commit may or may not have been; one rolled back was not. Where a
 * resend could help, the page offers to send the same form again: forms that could
 * double data carry one-time tokens, so it never counts twice.
 */
function unavailable(req: express.Request, outage: DatabaseOutage) {
  if (req.method === 'GET' || req.method === 'HEAD') return { outcome: 'read' };
  if ((currentWriteLog()?.committed ?? 0) > 0) return { outcome: 'saved' };
  const body: unknown = req.body;
  const fields = Object.entries(isRecord(body) ? body : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return { outcome: outage.saved === 'no' ? 'not-saved' : 'unknown', resend: { action: req.originalUrl, fields } };
}
