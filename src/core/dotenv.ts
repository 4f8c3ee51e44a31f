import fs from 'node:fs';
import path from 'node:path';

/**
 * `--dotenv` on the command line (the npm scripts pass it): read ./.env when there is one,
 * with Node's own reader (20.12+). Variables already in the environment win. Only on
 * request, so that a server the tests start never picks up a developer's .env.
 */
export function loadDotEnv(argv: readonly string[] = process.argv, dir = process.cwd()): string | null {
  if (!argv.includes('--dotenv')) return null;
  const file = path.resolve(dir, '.env');
  if (!fs.existsSync(file)) return null;
  process.loadEnvFile(file);
  return file;
}
