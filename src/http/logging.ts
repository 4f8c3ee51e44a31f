import crypto from 'node:crypto';
import { pino, type Logger } from 'pino';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

/*
 * Logs go to stdout without ever holding the process: written asynchronously, at most 1 MB
 * queued while the reader is slow (beyond that lines are dropped), and on exit whatever the
 * reader does not take at once is given up. pino's own default would retry a write that
 * cannot proceed (a stalled log pipe) forever when the process exits.
 */
let exiting = false;
const destinations = new Set<ReturnType<typeof pino.destination>>();

export function createLogger(level: string): Logger {
  const destination = pino.destination({ dest: 1, sync: false, maxLength: 1024 * 1024, retryEAGAIN: () => !exiting });
  destinations.add(destination);
  return pino({ level, redact: ['req.headers.cookie', 'res.headers["set-cookie"]'] }, destination);
}

/** process.exit, after writing the logs that stdout will take without waiting. */
export function exitProcess(code: number): never {
  exiting = true;
  for (const destination of destinations) {
    try {
      destination.flushSync();
    } catch {
      // EAGAIN (the reader is not reading) or EPIPE (it is gone): nothing more can be written.
    }
    destination.flushSync = () => {};
  }
  process.exit(code);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,200}$/;

declare module 'node:http' {
  interface IncomingMessage {
    /** Heroku's X-Request-ID when it sent one, else our own. */
    id: string;
    /** A logger whose lines name this request (made when first asked for: an error). */
    log?: Logger;
  }
}

/** Upload forms carry the CSRF token in their URL: it stays out of the logs. */
const loggedUrl = (url: string) => (url.includes('_csrf=') ? url.replace(/([?&]_csrf=)[^&]*/g, '$1[redacted]') : url);

const LOGGER = Symbol('request logger');
const CHILD = Symbol('request child logger');
type Logged = IncomingMessage & { originalUrl?: string; [LOGGER]?: Logger; [CHILD]?: Logger };
// On the prototype, once: a property defined on each request would slow every other one.
Object.defineProperty(http.IncomingMessage.prototype, 'log', {
  configurable: true,
  get(this: Logged): Logger | undefined {
    const logger = this[LOGGER];
    if (!logger) return undefined;
    return (this[CHILD] ??= logger.child({ req: { id: this.id, method: this.method, url: loggedUrl(this.originalUrl ?? this.url ?? '') } }));
  },
});

/**
 * JSON lines with a request id: one per request when it ends, in pino-http's shape
 * ({req: {id, method, url}, res: {statusCode}, responseTime, msg: "request completed"}),
 * at info (warn for 4xx, error for 5xx). Written by hand rather than by pino-http, which
 * made and serialised two child loggers for every request (issue 17: a cached page costs
 * little else); `req.log` is made only when something asks for it.
 */
export function requestLogger(logger: Logger) {
  return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    res.setHeader('X-Request-ID', id);
    req.id = id;
    Object.assign(req, { [LOGGER]: logger });
    const start = Date.now();
    res.once('close', () => {
      const status = res.statusCode;
      const aborted = !res.writableFinished;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { req: { id, method: req.method, url: loggedUrl(req.originalUrl ?? req.url ?? '') }, res: { statusCode: status }, responseTime: Date.now() - start },
        aborted ? 'request aborted' : status >= 500 ? 'request errored' : 'request completed',
      );
    });
    next();
  };
}
