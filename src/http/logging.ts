import crypto from 'node:crypto';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

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

/** JSON lines with a request id: Heroku's X-Request-ID when it sent one, else our own. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
      res.setHeader('X-Request-ID', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      // Upload forms carry the CSRF token in their URL: it stays out of the logs.
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.replace(/([?&]_csrf=)[^&]*/g, '$1[redacted]') }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
