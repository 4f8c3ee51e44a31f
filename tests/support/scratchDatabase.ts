import crypto from 'node:crypto';
import pg from 'pg';

export interface ScratchDatabase {
  /** The new database's own URL. */
  url: string;
  /** Drops it (closing whatever is still connected); safe to call once, in a finally. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the PostgreSQL server named by `serverUrl`, for one test
 * file, load test, benchmark or deploy test; named `<prefix>_<random>`.
 */
export async function scratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } catch (err) {
    await admin.end();
    throw err;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
