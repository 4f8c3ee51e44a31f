import { onTestFinished } from 'vitest';
import type { Db } from '../../src/db.js';

/** Reads of member_sessions (the session check). */
export const SESSION_READ = /^\s*select\b[\s\S]*\bmember_sessions\b/i;

/** Counts the statements matching `pattern` sent through `db` from now until the test ends. */
export function countQueries(db: Db, pattern: RegExp): { readonly n: number } {
  const counter = { n: 0 };
  const onQuery = (query: { sql?: unknown }) => {
    if (typeof query.sql === 'string' && pattern.test(query.sql)) counter.n++;
  };
  db.on('query', onQuery);
  onTestFinished(() => void db.off('query', onQuery));
  return counter;
}
