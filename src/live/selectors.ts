import { rawRows, type Db } from '../db.js';

/** The league's version: a counter the database's triggers move on every change (null before the first migration). */
export async function leagueVersionGet({ db }: { db: Db }): Promise<number | null> {
  const [row] = await rawRows<{ version: number }>(db, 'select version from league_version where id = 1');
  const version = Number(row?.version);
  return Number.isSafeInteger(version) ? version : null;
}
