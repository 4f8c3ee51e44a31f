import type { Db } from '../db.js';
import { ALL_TIME, periodCondition, type Period } from '../core/period.js';

export interface Standing {
  playerId: number;
  name: string;
  played: number;
  won: number;
  /** Whole percent, or null when the player has not played. */
  winPercent: number | null;
  points: number;
  /** points + line bonus for every hand won: the ranking. */
  total: number;
  gamesPlayed: number;
  gamesWon: number;
  /** The margins of the games won. */
  gamePoints: number;
}


/*
 * Every hand counts once for each of its two players. `cross join lateral (values ...)`
 * turns one hand row into two participations without scanning the table twice.
 */
const PARTICIPATIONS = `
  select x.player_id, h.winner_id, h.points, h.line_bonus, h.played_at
  from live_hands h
  cross join lateral (values (h.player_a_id), (h.player_b_id)) as x(player_id)
  where true
`;

/**
 * The standings for a period in the league's time zone. All time lists every player;
 * a year or a month lists those who played in it. Ratings are the current ones.
 */
export async function leaderboardGet({
  db,
  timeZone,
  period = ALL_TIME,
}: {
  db: Db;
  timeZone: string;
  period?: Period;
}): Promise<Standing[]> {
  const hands = periodCondition(period, 'p.played_at', timeZone);
  const games = periodCondition(period, 'g.finished_at', timeZone);
  const bindings = [...hands.bindings, ...games.bindings];
  const all = period.kind === 'all';
  const { rows } = await db.raw(
    `
    with p as (${PARTICIPATIONS}),
    per_player as (
      select p.player_id,
        count(*) as played,
        count(*) filter (where p.winner_id = p.player_id) as won,
        coalesce(sum(p.points) filter (where p.winner_id = p.player_id), 0) as points,
        coalesce(sum(p.points + p.line_bonus) filter (where p.winner_id = p.player_id), 0) as total
      from p where ${hands.sql}
      group by p.player_id
    ),
    per_player_games as (
      select x.player_id,
        count(*) as games_played,
        count(*) filter (where g.winner_id = x.player_id) as games_won,
        coalesce(sum(g.margin) filter (where g.winner_id = x.player_id), 0) as game_points
      from games g
      cross join lateral (values (g.player_a_id), (g.player_b_id)) as x(player_id)
      where g.status = 'finished' and g.voided_at is null and ${games.sql}
      group by x.player_id
    )
    select pl.id as "playerId", pl.name,
      coalesce(pp.played, 0) as played, coalesce(pp.won, 0) as won,
      coalesce(pp.points, 0) as points, coalesce(pp.total, 0) as total,
      coalesce(pg.games_played, 0) as "gamesPlayed", coalesce(pg.games_won, 0) as "gamesWon",
      coalesce(pg.game_points, 0) as "gamePoints"
    from players pl
    left join per_player pp on pp.player_id = pl.id
    left join per_player_games pg on pg.player_id = pl.id
    ${all ? '' : 'where pp.player_id is not null or pg.player_id is not null'}
    order by total desc, won desc, "gamePoints" desc, played asc, lower(pl.name)
    `,
    bindings,
  );
  return (rows as Omit<Standing, 'winPercent'>[]).map((r) => ({
    ...r,
    winPercent: r.played > 0 ? Math.round((100 * r.won) / r.played) : null,
  }));
}

export interface MonthChampion {
  month: string; // YYYY-MM
  playerId: number;
  name: string;
  played: number;
  won: number;
  total: number;
  /** Total score ahead of second place; the whole total when nobody else played. */
  lead: number;
}

/** For every finished month (before the current one in the league's zone), its champion. */
export async function hallOfFameList({
  db,
  timeZone,
  now = new Date(),
}: {
  db: Db;
  timeZone: string;
  now?: Date;
}): Promise<MonthChampion[]> {
  const { rows } = await db.raw(
    `
    with p as (${PARTICIPATIONS}
      and h.played_at < (date_trunc('month', ?::timestamptz at time zone ?) at time zone ?)),
    per_month as (
      select to_char(date_trunc('month', p.played_at at time zone ?), 'YYYY-MM') as month,
        p.player_id,
        count(*) as played,
        count(*) filter (where p.winner_id = p.player_id) as won,
        coalesce(sum(p.points + p.line_bonus) filter (where p.winner_id = p.player_id), 0) as total
      from p
      group by 1, 2
    ),
    ranked as (
      select per_month.*,
        row_number() over w as rank,
        lead(total) over w as runner_up_total
      from per_month
      window w as (partition by month order by total desc, won desc, played asc, player_id)
    )
    select r.month, r.player_id as "playerId", pl.name, r.played, r.won, r.total,
      r.total - coalesce(r.runner_up_total, 0) as lead
    from ranked r join players pl on pl.id = r.player_id
    where r.rank = 1
    order by r.month desc
    `,
    [now.toISOString(), timeZone, timeZone, timeZone],
  );
  return rows as MonthChampion[];
}

/** Months that have hands, newest first, for the month picker. */
export async function monthListActive({ db, timeZone }: { db: Db; timeZone: string }): Promise<string[]> {
  const { rows } = await db.raw(
    `select distinct to_char(date_trunc('month', played_at at time zone ?), 'YYYY-MM') as month
     from live_hands order by month desc`,
    [timeZone],
  );
  return (rows as { month: string }[]).map((r) => r.month);
}
