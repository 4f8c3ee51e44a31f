/* Applies pending migrations: Heroku's release phase and Fly's release_command run this. */
import { ConfigError, loadConfig } from '../config.js';
import { loadDotEnv } from '../core/dotenv.js';
import { migrateLatest } from '../db.js';
import { openDatabase } from './openDatabase.js';

loadDotEnv();
let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
const db = await openDatabase(config.database);
try {
  const applied = await migrateLatest(db);
  console.log(applied.length ? `Applied migrations:\n  ${applied.join('\n  ')}` : 'Database already up to date.');
} finally {
  await db.destroy();
}
