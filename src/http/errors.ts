import type express from 'express';
import { NotFoundError } from '../core/errors.js';

/*
 * Database outages, told apart from bugs. A connection failure anywhere — before the
 * query (refused, no host, pool exhausted, server starting or shutting down), in the
 * middle of it, or inside a transaction ("ROLLBACK - Client has encountered a connection
 * error and is not queryable") — is a 503, never a 500. PGlite's equivalents are an
 * instance that is closed or whose WebAssembly aborted.
 *
 * What the page may promise about a write depends on where it broke:
 * - the statement never reached a server, or the transaction was being rolled back:
 *   nothing was saved;
 * - the connection broke while a statement ran (it may have been the COMMIT): unknown.
 */

/** Codes meaning the connection was never made, or the server refused the work. */
const NOT_REACHED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
]);
/** Codes meaning a connection broke while in use. */
const BROKEN_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08007', // transaction_resolution_unknown
]);
const NOT_REACHED_MESSAGES =
  /Timeout acquiring a connection|connect ECONNREFUSED|not queryable|^ROLLBACK\b|PGlite is clos(ed|ing)|PGlite failed to initialize/i;
const BROKEN_MESSAGES = /Connection terminated|terminating connection|Connection ended unexpectedly|read ECONNRESET|write EPIPE|RuntimeError: Aborted/i;

export interface DatabaseOutage {
  /** 'no': nothing was written. 'unknown': the connection broke while a statement ran. */
  saved: 'no' | 'unknown';
}

/** The error and what it wraps (Error.cause, AggregateError, driver errors kept by Knex). */
function* chain(err: unknown, depth = 0): Generator<{ code?: unknown; message?: unknown; name?: unknown }> {
  if (typeof err !== 'object' || err === null || depth > 5) return;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown; nativeError?: unknown };
  yield e;
  for (const inner of [e.cause, e.originalError, e.nativeError]) yield* chain(inner, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/** Whether an error means "the database is not there right now", and what that did to a write. */
export function databaseOutage(err: unknown): DatabaseOutage | null {
  let broken = false;
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (NOT_REACHED_CODES.has(code) || e.name === 'KnexTimeoutError' || NOT_REACHED_MESSAGES.test(message)) return { saved: 'no' };
    if (BROKEN_CODES.has(code) || BROKEN_MESSAGES.test(message)) broken = true;
  }
  return broken ? { saved: 'unknown' } : null;
}

/** True for errors that mean "the database is not there right now", not "this query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  return databaseOutage(err) !== null;
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
  const outage = databaseOutage(err);
  if (outage) {
    req.log?.warn({ err }, 'database unavailable');
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    res.status(503).set('Retry-After', '5').render('errors/503.njk', { saved: write ? outage.saved : null });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res.status(500).render('errors/500.njk');
}
