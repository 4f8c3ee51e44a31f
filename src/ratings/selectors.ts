import { rawRows, type Db } from '../db.js';
import { ALL_TIME, periodCondition, type PlayerRead } from '../core/period.js';

/** Each player's current rating (the start value for those who have not played). */
export async function ratingListCurrent({ db, start }: { db: Db; start: number }): Promise<Map<number, number>> {
  const rows = await rawRows<{ id: number; rating: number }>(
    db,
    `select p.id, coalesce(r.after, ?) as rating
     from players p
     left join lateral (
       select after from ratings where player_id = p.id order by played_at desc, hand_id desc limit 1
     ) r on true`,
    [start],
  );
  return new Map(rows.map((r) => [r.id, r.rating]));
}

export interface RatingPoint {
  day: string; // YYYY-MM-DD in the league's zone
  rating: number;
}

/** A player's rating at the end of each day they played in the period. */
export async function ratingHistoryGet({ db, playerId, timeZone, period = ALL_TIME }: PlayerRead): Promise<RatingPoint[]> {
  const c = periodCondition(period, 'played_at', timeZone);
  return rawRows<RatingPoint>(
    db,
    `select distinct on (day) to_char(played_at at time zone ?, 'YYYY-MM-DD') as day, after as rating
     from ratings
     where player_id = ? and ${c.sql}
     order by day, played_at desc, hand_id desc`,
    [timeZone, playerId, ...c.bindings],
  );
}
