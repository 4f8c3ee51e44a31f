/* Applies pending migrations: Heroku's release phase and Fly's release_command run this. */
import { loadDotEnv } from '../core/dotenv.js';
import { migrateLatest } from '../db.js';
import { configOrExit, openDatabase } from './openDatabase.js';

loadDotEnv();
const config = configOrExit();
const db = await openDatabase(config.database);
try {
  const applied = await migrateLatest(db);
  console.log(applied.length ? `Applied migrations:\n  ${applied.join('\n  ')}` : 'Database already up to date.');
} finally {
  await db.destroy();
}
