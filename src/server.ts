import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { migrateLatest } from './db.js';
import { openDatabase } from './cli/openDatabase.js';
import { createLogger } from './http/logging.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = openDatabase(config.database, {
    warn: (m) => logger.warn({ knex: String(m) }, 'database warning'),
    error: (m) => logger.error({ knex: String(m) }, 'database error'),
  });
  if (config.database.kind === 'pglite') {
    // The embedded database has no release phase: bring it up to date on every start.
    const applied = await migrateLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const app = createApp({ config, db, logger });
  const server: Server = app.listen(config.port, () => {
    logger.info({ port: config.port, database: config.database.kind }, `listening on http://localhost:${config.port}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.error('requests still in flight after 10 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(async () => {
      await db.destroy();
      logger.info('closed; bye');
      process.exit(0);
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
