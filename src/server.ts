import http from 'node:http';
import { createApp } from './app.js';
import { closeLive } from './live/routes.js';
import { loadDotEnv } from './core/dotenv.js';
import { migrateLatest } from './db.js';
import { configOrExit, openDatabase } from './cli/openDatabase.js';
import { createLogger, exitProcess } from './http/logging.js';

async function main(): Promise<void> {
  const envFile = loadDotEnv();
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  if (envFile) logger.info({ file: envFile }, 'read variables from .env');
  const db = await openDatabase(config.database, {
    warn: (m) => logger.warn({ knex: String(m) }, 'database warning'),
    error: (m) => logger.error({ knex: String(m) }, 'database error'),
  });
  if (config.database.kind === 'pglite') {
    // The embedded database has no release phase: bring it up to date on every start.
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const app = createApp({ config, db, logger });

  /*
   * Shutdown (SIGTERM from Heroku, Fly, Docker; SIGINT from a terminal). The platform stops
   * routing to us and waits (Heroku 30 s, Fly kill_timeout) before SIGKILL. Within
   * SHUTDOWN_DRAIN_MS we stop accepting connections, close the idle keep-alive ones, let
   * each request in flight finish and answer it with `Connection: close`, and refuse with
   * 503 any request that still arrives on an open connection, before the app sees it: a
   * request is either completed or refused before it can write, never cut after a commit.
   */
  let draining = false;
  const inFlight = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    if (draining) {
      res.writeHead(503, { Connection: 'close', 'Retry-After': '1', 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('The server is restarting: please try again.\n');
      return;
    }
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A response whose headers had gone out before the signal kept its connection open.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    app(req, res);
  });
  server.listen(config.port, () => {
    // With PORT=0 the system picks the port: log the one taken.
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    logger.info({ port, database: config.database.kind, node: process.version }, `listening on http://localhost:${port}`);
  });

  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    const started = Date.now();
    logger.info({ signal, inFlight: inFlight.size, drainMs: config.shutdownDrainMs }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.error({ inFlight: inFlight.size }, `requests still in flight after ${config.shutdownDrainMs} ms; exiting anyway`);
      server.closeAllConnections();
      exitProcess(1);
    }, config.shutdownDrainMs);
    force.unref();
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // Event streams never finish by themselves: end them (browsers reconnect to another process).
    void closeLive(app);
    server.close(() => {
      db.destroy().then(
        () => {
          logger.info({ ms: Date.now() - started }, 'closed; bye');
          exitProcess(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'closing the database failed');
          exitProcess(1);
        },
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
