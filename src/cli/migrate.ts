/* Applies pending migrations: Heroku's release phase and Fly's release_command run this. */
import { loadConfig } from '../config.js';
import { migrateLatest } from '../db.js';
import { openDatabase } from './openDatabase.js';

const db = openDatabase(loadConfig().database);
try {
  const applied = await migrateLatest(db);
  console.log(applied.length ? `Applied migrations:\n  ${applied.join('\n  ')}` : 'Database already up to date.');
} finally {
  await db.destroy();
}
